"""Small helpers with no domain knowledge, usable from every layer."""
