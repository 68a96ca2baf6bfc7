"""Reading what a warwatch process printed."""

from __future__ import annotations

import re
from pathlib import Path

import warwatch

_ROOT = Path(warwatch.__file__).resolve().parent.parent
_OWN = tuple(f'File "{_ROOT / folder}/' for folder in ("warwatch", "flows", "tasks", "config"))


def own_tracebacks(stderr: str) -> list[str]:
    """The tracebacks in ``stderr`` that pass through warwatch's own code. A run without ``PREFECT_API_URL`` starts
    Prefect's temporary server in the process, which under load may log a traceback of its own as it shuts down."""
    blocks = re.split(r"(?=Traceback \(most recent call last\):)", stderr)[1:]
    return [block for block in blocks if any(frame in block for frame in _OWN)]
