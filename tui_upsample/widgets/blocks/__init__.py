"""Building blocks the panes and views are made of: the one Line-API grid that draws every grid,
a titled card around it, quiet text updates, the "terminal too small" notice."""
