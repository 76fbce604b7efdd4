"""`python -m bench`: extraction quality and speed on the real pages (skips when they are absent)."""
from __future__ import annotations

import sys

from bench import extract_speed, quality

sys.exit(quality.main([]) or extract_speed.main([]))
