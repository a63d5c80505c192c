"""The composition root: settings, the `deseo` command, and starting the parts together."""

__version__ = "0.1.0"
__all__ = ["__version__"]
