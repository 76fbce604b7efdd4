"""The SQLite archive: `from storage import Archive`."""
from storage.archive import Archive

__all__ = ["Archive"]
