"""Lean replacements of Textual built-ins, measured to start faster or repaint less: a drop-down
that is two widgets until it is opened, a footer that is one widget."""
