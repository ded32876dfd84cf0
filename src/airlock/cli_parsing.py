"""Typer as the CLI needs it: help that shows what a value is (`FILE`, `N`, nothing for an on/off flag)
instead of the Python type (`<bool>`, `<list[str]>`), and usage errors in plain words instead of the
validation library's ("Value error, …", "Input should be a valid integer, …")."""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

FLAG = ""
"""The metavar of an on/off flag: nothing (typer would show `<bool>`)."""


class _NamedArgument(TyperArgument):
    """An argument whose metavar says what it is, without typer's Python type (`<list[str]>`) beside it."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.metavar or self.name or ""
        return name if self.required else f"[{name}]"


_PYDANTIC_WORDING = (
    (re.compile(r"^Value error, "), ""),
    (re.compile(r"^Input should be a valid integer.*"), "expected a whole number"),
    (re.compile(r"^Input should be a valid number.*"), "expected a number"),
    (re.compile(r"^Input should be greater than or equal to "), "must be at least "),
    (re.compile(r"^Input should be greater than "), "must be more than "),
    (re.compile(r"^Input should be "), "must be "),
)


def _flag_help(option: TyperOption | None) -> TyperOption | None:
    if option is not None:
        option.metavar = FLAG
    return option


class Group(TyperGroup):
    def get_help_option(self, ctx: Any) -> TyperOption | None:
        return _flag_help(super().get_help_option(ctx))


class Command(TyperCommand):
    """Usage errors in plain words: typer validates through pydantic and passes its wording on ("Value
    error, …", "Input should be a valid integer, unable to parse string as an integer")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar is not None:
                param.__class__ = _NamedArgument

    def get_help_option(self, ctx: Any) -> TyperOption | None:
        return _flag_help(super().get_help_option(ctx))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except typer.BadParameter as error:
            for pattern, plain in _PYDANTIC_WORDING:
                error.message = pattern.sub(plain, error.message)
            raise


__all__ = ["FLAG", "Command", "Group"]
