"""Recordings of a scene for slides, READMEs and notebooks, made from the app rendered headless.

One headless run of the app gives every frame (:mod:`.frames`); the frames are written as an
asciicast v2 recording with a marker per step (:mod:`.cast`), as one self-contained animated SVG
(:mod:`.svg`) or, through the ``gif`` extra's agg renderer, as a GIF (:mod:`.gif`).
:mod:`.notebook` draws one step's view for Jupyter (``tui_upsample.show``).

:mod:`.cell_runs`, :mod:`.cast` and :mod:`.svg` know nothing of Textual: a frame is rows of
styled runs of text, and they only write them down.
"""
