"""The API token lookup reads the user with the token's columns annotated: each of a user's tokens
authenticates as that user, revoked and expired ones do not, and none of the token's columns
(the digest above all) is left on the user the request carries."""

import datetime as dt

import pytest
from django.utils import timezone

from lapor.accounts.models import ApiToken
from lapor.accounts.selectors import api_token_authenticate
from lapor.accounts.testing import user_make

pytestmark = pytest.mark.django_db


def test_each_of_several_tokens_authenticates_its_user_and_leaves_no_token_column_on_it():
    user, other = user_make("Admin PUPR"), user_make("Orang Lain")
    issued = [ApiToken.issue(user=user, name=f"skrip {i}") for i in range(3)] + [ApiToken.issue(user=other, name="x")]
    for token, raw in issued:
        found = api_token_authenticate(raw)
        assert found is not None and found.pk == token.user_id
        assert not [name for name in vars(found) if name.startswith("token_")]
        assert token.digest not in repr(vars(found))
    token, raw = issued[1]
    assert api_token_authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None  # same prefix, wrong secret
    assert api_token_authenticate(f"lpr_{token.prefix}_{issued[0][1].split('_', 2)[2]}") is None  # another's secret


def test_a_revoked_an_expired_or_an_inactive_users_token_does_not_authenticate():
    user = user_make("Admin PUPR")
    (revoked, raw_revoked), (expired, raw_expired), (_ok, raw_ok) = [ApiToken.issue(user=user, name=n) for n in "abc"]
    ApiToken.objects.filter(pk=revoked.pk).update(is_active=False)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert api_token_authenticate(raw_revoked) is None and api_token_authenticate(raw_expired) is None
    assert api_token_authenticate(raw_ok) == user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api_token_authenticate(raw_ok) is None


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "lpr_",
        "lpr__",
        "lpr_x_y",
        "Bearer lpr_a_b",
        "lpr_" + "a" * 300 + "_b",
        "xyz_a_b",
        "lpr_ab\x00cd_ef",
        "lpr_ab%cd_ef",
        "lpr_ab\u00e9_x",
    ],
)
def test_malformed_tokens_authenticate_nobody(raw):
    assert api_token_authenticate(raw) is None


def test_the_last_use_is_recorded_at_most_every_five_minutes():
    user = user_make("Admin PUPR")
    token, raw = ApiToken.issue(user=user, name="skrip")
    api_token_authenticate(raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == first
