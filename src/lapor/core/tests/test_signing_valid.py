"""One signing scheme for every door; each door says whether bare hex (no ``sha256=``) passes."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from lapor.core.signing import signature, signature_valid
from lapor.intake import signing as intake_signing
from lapor.partners import signing as partner_signing

BODY = b'{"title": "Jalan rusak"}'
HEX = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()


def test_a_signature_is_the_prefixed_hmac_of_the_exact_body():
    assert signature("s3cret", BODY) == "sha256=" + HEX


@pytest.mark.parametrize("bare_hex", [False, True])
def test_the_prefixed_signature_passes_either_way(bare_hex):
    assert signature_valid("s3cret", BODY, f"  sha256={HEX} ", bare_hex=bare_hex)


def test_bare_hex_passes_only_where_the_door_allows_it():
    assert signature_valid("s3cret", BODY, HEX, bare_hex=True)
    assert not signature_valid("s3cret", BODY, HEX, bare_hex=False)


@pytest.mark.parametrize("bare_hex", [False, True])
@pytest.mark.parametrize(
    "secret, body, header",
    [
        ("", BODY, "sha256=" + HEX),  # no secret configured: nothing passes
        ("s3cret", BODY, ""),
        ("s3cret", BODY, None),
        ("other", BODY, "sha256=" + HEX),
        ("s3cret", BODY + b" ", "sha256=" + HEX),
        ("s3cret", BODY, "sha1=" + HEX),
    ],
)
def test_a_wrong_or_missing_signature_never_passes(secret, body, header, bare_hex):
    assert not signature_valid(secret, body, header, bare_hex=bare_hex)


def test_partners_refuse_bare_hex_and_intake_gateways_accept_it(rf, settings):
    assert partner_signing.signature_valid("s3cret", BODY, "sha256=" + HEX)
    assert not partner_signing.signature_valid("s3cret", BODY, HEX)
    settings.LAPOR_TEST_SECRET = "s3cret"
    request = rf.post("/", data=BODY, content_type="application/json", HTTP_X_SIGNATURE=HEX)
    intake_signing.signature_check(request, "LAPOR_TEST_SECRET")  # no exception
    request = rf.post("/", data=BODY, content_type="application/json", HTTP_X_SIGNATURE="0" * 64)
    with pytest.raises(intake_signing.Unauthenticated):
        intake_signing.signature_check(request, "LAPOR_TEST_SECRET")
