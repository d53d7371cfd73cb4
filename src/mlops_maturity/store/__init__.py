"""store layer: assessments kept over time, on SQLite (default) or PostgreSQL.

- `models`: the SQLAlchemy 2 schema (organization → team → project → assessment → dimension levels)
- `db`: where the database is, engines (SQLite WAL + BEGIN IMMEDIATE), Alembic migrations
- `repository`: the queries; `service.Store`: the API, and the one place that commits
- `records`: content-hash identity and the JSON-lines export/import format
- `compare`: what changed between two results (diff, trends)

Nothing is imported here, so importing the package stays cheap for the CLI's --help.
"""
