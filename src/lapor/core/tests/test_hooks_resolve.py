"""settings.LAPOR_HOOKS: every name a lower room asks by leads to a function (a mistyped dotted path
would otherwise surface only when that path first runs), and an unknown name fails loudly."""

from __future__ import annotations

import pytest
from django.conf import settings

from lapor.core.hooks import hook


def test_every_hook_names_a_function_in_a_domain_app():
    resolved = {name: hook(name) for name in settings.LAPOR_HOOKS}
    assert [name for name, fn in resolved.items() if not callable(fn)] == []
    assert sorted({fn.__module__.split(".")[1] for fn in resolved.values()}) == [
        "accounts",
        "notifications",
        "partners",
        "reports",
        "routing",
    ]


def test_an_unknown_hook_is_an_error_not_a_silent_skip():
    with pytest.raises(KeyError):
        hook("no_such_hook")
