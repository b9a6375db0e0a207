"""Allow ``python -m site_builder``."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
