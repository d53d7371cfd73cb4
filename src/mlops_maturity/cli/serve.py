"""`mlops-maturity serve`: the web service (portfolio, project pages, questionnaire, JSON API)."""

from __future__ import annotations

import os
import sys

import click

from . import fail, main

ADMIN_PASSWORD_ENV = "MLOPS_MATURITY_ADMIN_PASSWORD"


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="URL", envvar="MLOPS_MATURITY_DB", help="Assessment database URL (default: $MLOPS_MATURITY_DB, else a SQLite file in your data directory). Several workers or servers share one PostgreSQL database.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes (they keep no state of their own).")
@click.option("--admin-email", metavar="EMAIL", help=f"On an empty database: create this administrator (password from ${ADMIN_PASSWORD_ENV}, else a prompt).")
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure even on plain HTTP (HTTPS terminated by a proxy in front). Requests over HTTPS always get Secure cookies.")
def serve(db, host, port, workers, admin_email, secure_cookies):
    """Serve the web app and the JSON API (/api/v1, OpenAPI at /api/v1/openapi.json).

    \b
    Examples:
      MLOPS_MATURITY_ADMIN_PASSWORD=… mlops-maturity serve --admin-email me@example.org
      mlops-maturity serve --db postgresql+psycopg://mm@db/mm --host 0.0.0.0 --workers 4
    """
    from ..store.db import StoreError
    from ..store.service import Store
    from ..web.config import Settings
    from ..web.services import accounts
    from ..web.services.errors import ServiceError

    try:
        store = Store.open(db, notify=lambda m: click.echo(f"mlops-maturity: {m}", err=True))
    except StoreError as exc:
        fail(str(exc))
    try:
        if accounts.needs_admin(store):
            if not admin_email:
                fail("the database has no users yet: start with --admin-email EMAIL to create the first administrator")
            password = os.environ.get(ADMIN_PASSWORD_ENV)
            if not password:
                if not sys.stdin.isatty():
                    fail(f"the first administrator needs a password: set {ADMIN_PASSWORD_ENV} (no terminal to prompt in)")
                password = click.prompt(f"Password for {admin_email}", hide_input=True, confirmation_prompt=True)
            try:
                accounts.bootstrap_admin(store, admin_email, password)
            except ServiceError as exc:
                fail(f"--admin-email: {exc.message}")
            click.echo(f"mlops-maturity: created the administrator {admin_email.strip().lower()}", err=True)
        elif admin_email:
            click.echo("mlops-maturity: the database has users already; --admin-email is ignored", err=True)
        url = store.url
    except StoreError as exc:
        fail(str(exc))
    finally:
        store.close()

    os.environ.update(Settings(db_url=url, secure_cookies=secure_cookies).to_env())
    click.echo(f"mlops-maturity: serving {store.location} on http://{host}:{port} ({workers} worker{'s' if workers > 1 else ''})", err=True)
    from ..web.server import run

    run(host, port, workers)
