"""Outcomes a route turns into an HTTP status: the services never speak HTTP."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """Absent, or not visible to the principal (the two are not told apart)."""

    status = 404


class Forbidden(ServiceError):
    status = 403


class Invalid(ServiceError):
    status = 422


class Conflict(ServiceError):
    status = 409


class RateLimited(ServiceError):
    status = 429


class TooLarge(ServiceError):
    status = 413


class UnsupportedEncoding(ServiceError):
    status = 415
