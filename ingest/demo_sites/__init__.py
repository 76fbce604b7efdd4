"""The bundled demo news sites (three CMS styles) and the local server that serves them.

    from ingest.demo_sites import DemoServer, sources_toml
    with DemoServer() as demo:
        demo.bases            # {"herald": "http://127.0.0.1:PORT", "wpdaily": ..., "wirenews": ...}
        demo.expected()       # what a perfect crawl stores, per article
        sources_toml(demo.bases)
"""
from ingest.demo_sites.build import DEFAULT_SEED, SITE_KEYS, DemoArticle, DemoSite, build_sites, expected_records
from ingest.demo_sites.config import sources_toml
from ingest.demo_sites.faults import FAULTS, Reset
from ingest.demo_sites.routes import Response
from ingest.demo_sites.server import DemoServer, Request

__all__ = ["DEFAULT_SEED", "SITE_KEYS", "DemoArticle", "DemoSite", "DemoServer", "FAULTS", "Request", "Reset",
           "Response", "build_sites", "expected_records", "sources_toml"]
