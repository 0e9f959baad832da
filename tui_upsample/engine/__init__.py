"""The NumPy engine: every operator tui-upsample shows, exact to PyTorch, and their step traces.

Pure NumPy: nothing here imports textual or rich.
"""
