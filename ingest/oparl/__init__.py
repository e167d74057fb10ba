"""OParl import: a council's papers, their files and metadata from its OParl 1.1 server."""

from ingest.oparl.client import ClientOptions, OParlClient, OParlError, user_agent

__all__ = ["ClientOptions", "OParlClient", "OParlError", "user_agent"]
