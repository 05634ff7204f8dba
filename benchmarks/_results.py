"""Where every benchmark writes its figures: ``benchmarks/out/NAME.json`` (gitignored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"


def save(name: str, figures: Any) -> Path:
    """Write ``figures`` as ``benchmarks/out/NAME.json`` and return the path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return path
