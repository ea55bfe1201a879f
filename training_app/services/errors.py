"""Domain errors carry a message template (Chinese source text) and its parameters.

Services must not import Flask, so they cannot translate; the view that catches the error
translates the template with Flask-Babel and fills in the parameters. ``N_`` only marks a
string for extraction into the message catalog.
"""
from __future__ import annotations


def N_(message: str) -> str:
    return message


class DomainError(Exception):
    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class InvalidCredentials(DomainError):
    pass


class LoginThrottled(DomainError):
    pass
