"""``python -m dashboard.spc``: see :mod:`dashboard.spc.cli`."""

import sys

from .cli import main

sys.exit(main())
