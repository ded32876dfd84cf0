"""The one error hierarchy. Every module's errors inherit from `AirlockError`; the CLI catches it once."""

from __future__ import annotations

from airlock.exit import ExitCode


class AirlockError(Exception):
    """An error a user can act on: a message, and where possible a hint saying how."""

    exit_code: ExitCode = ExitCode.OPERATIONAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[object, ...]:
        # Subclasses take varied constructor arguments; rebuild from state so errors cross process pools.
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))

    def diagnostics(self) -> str:
        """The message and the remediation hint, ready to print."""
        if self.hint:
            return f"{self.message}\nhint: {self.hint}"
        return self.message


def _rebuild(cls: type[AirlockError], message: str, state: dict[str, object]) -> AirlockError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class UsageError(AirlockError):
    """The user asked for something that cannot be done as asked (bad flag, bad target, bad config)."""

    exit_code = ExitCode.USAGE


class BadInputError(AirlockError):
    """Input bytes (a tarball, a lockfile, a manifest) are malformed or hostile."""

    exit_code = ExitCode.USAGE


class OperationalError(AirlockError):
    """Network, registry, cache or store failure: retrying later may help."""

    exit_code = ExitCode.OPERATIONAL
