"""mlops-maturity: where an ML team stands on the MLOps maturity model, with the evidence."""

__version__ = "0.1.0"
