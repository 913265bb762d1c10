"""infraprep: seven rounds of AI-infrastructure interview preparation, every number computed."""

__version__ = "0.1.0"
__all__ = ["__version__"]
