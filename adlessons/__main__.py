"""`python -m adlessons`: the same command as `adlessons` (see adlessons/cli.py)."""

from adlessons.cli import main

raise SystemExit(main())
