"""Search over the public directory. The database is the source of truth; the index is derived."""

from services.search.whoosh_index import index_status, open_index, rebuild_index

__all__ = ["index_status", "open_index", "rebuild_index"]
