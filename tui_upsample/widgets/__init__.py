"""The panes of the app, one per file: grid view, grid editor, settings, step view."""
