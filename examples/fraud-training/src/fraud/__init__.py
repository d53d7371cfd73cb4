"""Card fraud detection: data preparation, features, training and evaluation."""

__version__ = "0.3.0"
