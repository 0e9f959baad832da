"""The panes of the main screen: the grid editors, the settings, the step view, the notes under
the settings and the tour's panel. Each renders what it is given and reports edits with messages."""
