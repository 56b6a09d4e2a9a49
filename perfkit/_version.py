"""perfkit's version: the package, batch runs and selection records read it from here."""

__version__ = "0.1.0"
