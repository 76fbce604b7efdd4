"""sources.toml text declaring the demo sites as sources, on the ports they are served at."""
from __future__ import annotations

from ingest.demo_sites.build import SITE_KEYS
from ingest.demo_sites.routes import discovery_paths

NAMES = {"herald": "National Herald Demo", "wpdaily": "WP Daily Demo", "wirenews": "Wire News Demo"}
# Which links on section pages are articles (the listings also link to other sections).
PATTERNS = {"herald": r"/(international|national)/[a-z0-9-]+$",
            "wpdaily": r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$",
            "wirenews": r"/(news|es/noticias)/\d{4}/\d{2}/\d{2}/[a-z0-9-]+$"}


def _list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def sources_toml(bases: dict[str, str], *, schedule: str = "every 30m", delay: float = 0.0,
                 max_pages: int = 200) -> str:
    """The sources.toml for the three demo sites at `bases` (site key -> http://127.0.0.1:PORT).

    delay defaults to 0: the demo server is local and the tests should not wait on politeness.
    """
    blocks = []
    for key in SITE_KEYS:
        base = bases[key]
        lines = [f"[sources.{key}]", f'name = "{NAMES[key]}"']
        for name, paths in discovery_paths(key).items():
            lines.append(f"{name} = {_list([base + p for p in paths])}")
        lines += [f"article_pattern = '{PATTERNS[key]}'", f'schedule = "{schedule}"', f"delay = {delay}",
                  f"max_pages = {max_pages}"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
