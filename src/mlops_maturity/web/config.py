"""Server settings. Every worker builds the same settings from the environment (see `app.app_from_env`),
so several workers behind one PostgreSQL database behave as one server: nothing is kept in memory
between requests that another worker would need."""

from __future__ import annotations

import os
from dataclasses import dataclass

ENV_DB = "MLOPS_MATURITY_DB"
ENV_SECURE_COOKIES = "MLOPS_MATURITY_SECURE_COOKIES"


@dataclass(frozen=True)
class Settings:
    db_url: str | None = None
    # Mark cookies Secure even when the request arrived over plain HTTP (a TLS-terminating proxy
    # in front). Requests that arrive over HTTPS always get Secure cookies.
    secure_cookies: bool = False
    session_hours: int = 12
    login_window_minutes: int = 15
    login_max_failures: int = 5
    max_upload_bytes: int = 10 * 1024 * 1024

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            db_url=os.environ.get(ENV_DB) or None,
            secure_cookies=os.environ.get(ENV_SECURE_COOKIES, "").lower() in ("1", "true", "yes"),
        )

    def to_env(self) -> dict[str, str]:
        env = {ENV_SECURE_COOKIES: "1" if self.secure_cookies else "0"}
        if self.db_url:
            env[ENV_DB] = self.db_url
        return env
