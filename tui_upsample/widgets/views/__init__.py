"""The teaching views that replace the step view on a key: the three faces side by side (c), the
footprint overlap (k) and the Keras / PyTorch conventions (f)."""
