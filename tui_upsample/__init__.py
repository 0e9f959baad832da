"""tui-upsample: step, key by key, through the operators that make feature maps bigger again."""

__version__ = "0.1.0"
