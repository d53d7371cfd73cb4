"""Detectors for Acme's in-house ML platform, as an mlops-maturity plug-in.

mlops-maturity reads every `detectors/*.yaml` in this package (the same spec format as its
built-in detectors) through the `mlops_maturity.detectors` entry point declared in
pyproject.toml. This package has no code checks; a plug-in that needs one exports
`CHECKS = {"name": function}` here and cites it with `kind: check`.
"""

CHECKS: dict = {}
