"""Publishing: the catalog of records and every file derived from it (feed, captions, pages)."""

from sawt.publishing import builtin as _builtin  # registers the built-in outputs

del _builtin
