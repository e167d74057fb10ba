"""OParl import: a council's papers, their files and metadata from its OParl 1.1 server."""

from ingest.oparl.client import ClientOptions, OParlClient, OParlError, user_agent
from ingest.oparl.sync import ImportEvent, ImportReport, import_oparl

__all__ = [
    "ClientOptions",
    "ImportEvent",
    "ImportReport",
    "OParlClient",
    "OParlError",
    "import_oparl",
    "user_agent",
]
