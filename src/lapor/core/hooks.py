"""A lower room asks a higher one by name, never by importing it (docs/architecture.md, "Import
direction"): ``settings.LAPOR_HOOKS`` maps each name to the dotted path of the function that
answers, as Django names middleware. The path is resolved on every call, as the import inside a
function it replaces was, so a test that replaces the function on its module is heard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def hook(name: str) -> Callable[..., Any]:
    """The function ``settings.LAPOR_HOOKS[name]`` names; a missing name is a KeyError (a wiring
    mistake fails loudly, it is not skipped)."""
    return import_string(settings.LAPOR_HOOKS[name])
