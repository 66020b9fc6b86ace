"""Hint-guided colorization: networks, colour and hint handling, and the inference API."""
from .colorizer import ColorizeSession, Colorizer
from .device import pick_device
from .hints import Hint
from .image_io import ImageError, load_image, save_image
from .weights import WeightsError

__all__ = ["Colorizer", "ColorizeSession", "Hint", "ImageError", "WeightsError",
           "load_image", "save_image", "pick_device"]
