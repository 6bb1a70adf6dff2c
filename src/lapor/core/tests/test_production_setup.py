"""``lapor setup``: the real network without demo data, the first operator and a one-time enrolment link;
``lapor demo`` refuses to run in production unless forced (docs/operations.md)."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from lapor.accounts.models import ApiToken, AuditLog, Role, RoleAssignment, User
from lapor.demo import network as demo_data
from lapor.agencies import reference
from lapor.agencies.models import Agency, Region, RoutingRule, Topic
from lapor.demo.load import DEMO_PASSWORD
from lapor.reports.models import Report

ROOT = Path(__file__).resolve().parents[4]
LINK = re.compile(r"(https?://\S+/akun/aktivasi/(\S+)/)")


def _setup(*args) -> str:
    out = io.StringIO()
    call_command("setup", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db(transaction=True)
def test_setup_loads_the_real_network_and_one_operator_without_any_demo_data_and_again_changes_nothing(settings):
    settings.LAPOR_PUBLIC_URL = "https://lapor.example.go.id"
    out = _setup("--admin-email", "Ops@Example.go.id", "--no-villages")

    # The real network: every province and regency/city government, the national bodies, the topics.
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 38
    assert Agency.objects.filter(kind=Agency.Kind.PROVINCE).count() == 38
    assert Agency.objects.filter(kind__in=[Agency.Kind.REGENCY, Agency.Kind.CITY]).count() == 514
    assert Agency.objects.filter(kind=Agency.Kind.MINISTRY).count() == len(reference.MINISTRIES) == 48
    assert Agency.objects.filter(kind=Agency.Kind.PLATFORM).count() == 1
    assert Topic.objects.count() == len(reference.TOPICS) + sum(len(t[4]) for t in reference.TOPICS)
    rules = {
        (r.topic.slug, r.agency.short_name, r.region_id) for r in RoutingRule.objects.select_related("topic", "agency")
    }
    assert rules == {(slug, short, None) for slug, short in reference.NATIONAL_ROUTING.items()}
    # ... and nothing of the demo: no demo city departments, accounts, API key or reports.
    demo_names = [name for name, *_ in demo_data.CITY_DEPARTMENTS] + ["Institut Seni Indonesia Padang Panjang"]
    assert not Agency.objects.filter(name__in=demo_names).exists()
    assert not Agency.objects.filter(kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.UNIT, Agency.Kind.VILLAGE]).exists()
    assert not Report.objects.exists() and not ApiToken.objects.exists()
    assert not any(user.check_password(DEMO_PASSWORD) for user in User.objects.all())

    # One operator, no password yet, the whole network, the Django admin; a link under LAPOR_PUBLIC_URL.
    operator = User.objects.get()
    assert operator.email == "ops@example.go.id" and not operator.has_usable_password()
    assert operator.is_staff and operator.is_superuser
    assert list(RoleAssignment.objects.values_list("user_id", "role", "agency_id")) == [
        (operator.pk, Role.PLATFORM_ADMIN, None)
    ]
    link = LINK.search(out)
    assert link and link.group(1).startswith("https://lapor.example.go.id/akun/aktivasi/"), out
    assert set(AuditLog.objects.values_list("action", flat=True)) == {
        "routing_rule_save",
        "role_grant",
        "operator_create",
        "enrolment_link_issue",
    }

    before = _row_counts()
    again = _setup("--admin-email", "ops@example.go.id", "--no-villages")
    assert _row_counts() == before
    assert "nothing added" in again and "nothing to do" in again and not LINK.search(again)


@pytest.mark.django_db
def test_another_email_is_refused_while_an_operator_exists_unless_added_on_purpose(monkeypatch):
    monkeypatch.setattr("lapor.agencies.network.reference_load", lambda **kw: {})  # the network is tested above
    _setup("--admin-email", "ops@example.go.id")
    with pytest.raises(CommandError, match="ops@example.go.id"):
        _setup("--admin-email", "second@example.go.id")
    assert User.objects.count() == 1
    out = _setup("--admin-email", "second@example.go.id", "--add-operator")
    assert LINK.search(out) and "second@example.go.id" in out
    assert set(
        RoleAssignment.objects.filter(role=Role.PLATFORM_ADMIN, agency=None).values_list("user__email", flat=True)
    ) == {"ops@example.go.id", "second@example.go.id"}


@pytest.mark.django_db
def test_new_link_only_for_an_operator_who_has_not_chosen_a_password(monkeypatch):
    monkeypatch.setattr("lapor.agencies.network.reference_load", lambda **kw: {})
    first = LINK.search(_setup("--admin-email", "ops@example.go.id")).group(1)
    second = LINK.search(_setup("--admin-email", "ops@example.go.id", "--new-link", "--link-hours", "2")).group(1)
    assert first != second
    user = User.objects.get()
    user.set_password("sandi-yang-kuat-2026")
    user.save()
    with pytest.raises(CommandError, match="changepassword"):
        _setup("--admin-email", "ops@example.go.id", "--new-link")


@pytest.mark.django_db
def test_setup_refuses_a_database_that_holds_the_demo_accounts(monkeypatch):
    monkeypatch.setattr("lapor.agencies.network.reference_load", lambda **kw: {})
    User.objects.create_user(email="admin@lapor.example", password=DEMO_PASSWORD, full_name="Admin Nasional")
    with pytest.raises(CommandError, match="admin@lapor.example"):
        _setup("--admin-email", "ops@example.go.id")
    assert not RoleAssignment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action", [["load"], ["generate", "--reports", "10"]])
def test_demo_refuses_to_run_in_production(settings, action):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="lapor setup"):
        call_command("demo", *action, stdout=io.StringIO())
    assert not Region.objects.exists() and not User.objects.exists() and not Report.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_demo_load_runs_in_production_when_forced(settings):
    settings.PRODUCTION = True
    call_command("demo", "load", "--no-villages", "--force", stdout=io.StringIO())
    assert User.objects.get(email="admin@lapor.example").check_password(DEMO_PASSWORD)
    # the demo city (and its rules) on top of the same real network setup loads
    assert RoutingRule.objects.filter(region_id=demo_data.DEMO_CITY_CODE).count() == len(demo_data.CITY_ROUTING)
    assert RoutingRule.objects.filter(region=None).count() == len(reference.NATIONAL_ROUTING)


def test_demo_load_exits_non_zero_with_lapor_env_production(tmp_path):
    """The real command line, with the production environment (not a settings override)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAPOR_", "DATABASE_URL"))}
    env.update(
        LAPOR_ENV="production",
        LAPOR_SECRET_KEY="s" * 50,
        LAPOR_ALLOWED_HOSTS="lapor.example.go.id",
        LAPOR_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PYTHONPATH=str(ROOT / "src"),
    )
    res = subprocess.run(
        [sys.executable, "-m", "lapor.cli", "demo", "load"], env=env, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 1 and "refused with LAPOR_ENV=production" in res.stderr and "lapor setup" in res.stderr
