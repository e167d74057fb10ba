"""The web app: search, read and download, reading only through the archive and the index."""

from web.app import create_app

__all__ = ["create_app"]
