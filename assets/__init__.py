"""Shipped weights (``models/``) and sample photos (``samples/``).

Installed as the data package ``colorizer_assets`` (see pyproject.toml) so that a wheel carries
these files; ``net.assets`` finds them through ``importlib.resources``. No code lives here.
"""
