"""reporters layer."""
