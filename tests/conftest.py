"""Shared fixtures: repository paths and the list of assignments."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
