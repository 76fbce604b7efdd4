"""The bundled demo news sites (three CMS styles) and the local server that serves them.

    from ingest.demo_sites import DemoServer, sources_toml
    with DemoServer() as demo:
        demo.bases            # {"herald": "http://127.0.0.1:PORT", "wpdaily": ..., "wirenews": ...}
        demo.expected()       # what a perfect crawl stores, per article
        sources_toml(demo.bases)
"""
from __future__ import annotations

import importlib
from typing import Any

# Imported lazily so `python -m ingest.demo_sites.server` does not import itself twice.
_EXPORTS = {
    "DEFAULT_SEED": "build", "SITE_KEYS": "build", "DemoArticle": "build", "DemoSite": "build",
    "build_sites": "build", "expected_records": "build", "sources_toml": "config", "FAULTS": "faults",
    "Reset": "faults", "Response": "routes", "DemoServer": "server", "Request": "server",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
