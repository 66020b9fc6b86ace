"""Training and evaluation for the colorization networks (imports net, never the GUI)."""
