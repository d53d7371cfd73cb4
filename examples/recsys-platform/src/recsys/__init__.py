"""Ranking model for the home-page recommendations."""

__version__ = "1.4.0"
