"""framework layer."""
