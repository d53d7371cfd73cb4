"""Fleet scale: many repositories in one run, and a cache that makes the next run cheap.

`cache` decides whether a repository changed since its last scan (without running the scan
or git porcelain) and stores each repository's scan observations beside the database; `run`
assesses a list of repositories in worker processes, streaming each result to disk; `summary`
builds the portfolio summary from the small per-repository rows. The scanner itself
(`sources.scan`) knows nothing of any of this: the cache wraps it as an ordinary Source.
"""
