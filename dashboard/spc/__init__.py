"""Statistical process control (XmR charts, Making Data Count rules) for the dashboard.

Identical by default to NHSRplotthedots 0.2.2 ``ptd_spc()``. The engine (:mod:`.engine`) needs
numpy only; :mod:`.frame` adds a pandas helper; ``python -m dashboard.spc`` is the command line
(:mod:`.cli`). Importing this package loads nothing else: import from the submodules, e.g.
``from dashboard.spc.engine import compute``.
"""
