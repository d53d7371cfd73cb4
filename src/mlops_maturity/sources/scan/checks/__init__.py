"""Code checks: detectors whose logic does not fit the data kinds. One module per dimension,
each exporting CHECKS (name -> function); registry.py merges them explicitly."""
