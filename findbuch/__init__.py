"""Findbuch: document archive and German full-text search for public administrations."""

__version__ = "0.1.0"
