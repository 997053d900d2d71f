"""``python -m dashboard.spc``: see :mod:`dashboard.spc.cli`."""

import os
import sys

# The command line uses no linear algebra: a single-threaded OpenBLAS makes numpy's import
# about a quarter faster (it is most of the run time on small inputs).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .cli import main

sys.exit(main())
