"""What every benchmark does at the end: describe the machine, write the figures as JSON
under bench/results/ (git-ignored), and exit 0 PASS, 1 FAIL, 2 INVALID."""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def machine(load: float) -> dict[str, Any]:
    """The machine the figures came from, and how busy it was before the run."""
    return {"cpus": os.cpu_count(), "load_average_1m_before": round(load, 2),
            "python": platform.python_version(), "platform": platform.platform()}


def finish(name: str, record: dict[str, Any], now: datetime, *, passed: bool,
           problems: list[str]) -> int:
    """Write the record to bench/results/<name>-<time>.json and return the exit status."""
    out = ROOT / "bench" / "results" / f"{name}-{now:%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    if problems:
        return 2
    return 0 if passed else 1
