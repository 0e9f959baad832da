"""The app's widgets, by what they are: ``panes/`` (the main screen's panes), ``views/`` (the
teaching views that take the step view's place), ``blocks/`` (what panes and views are built
from) and ``lean/`` (replacements of Textual built-ins that start faster or repaint less)."""
