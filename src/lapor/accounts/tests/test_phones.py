"""Indonesian phone numbers: every way people write one becomes +62…; a number outside Indonesia's
numbering plan (an unallocated prefix, a wrong length, a toll-free or service number) is no phone."""

from __future__ import annotations

import pytest

from lapor.accounts.phones import phone_kind, phone_mask, phone_normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the forms the rest of the suite writes, with what they became before libphonenumber
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456  7890", "+6281234567890"),
        ("0812 - 3456 - 7890", "+6281234567890"),
        ("0812.345.67890", "+6281234567890"),
        ("08-1234-567-890", "+6281234567890"),
        ("0.8.1.2.3.4.5.6.7.8.9", "+628123456789"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62-812-3456-7890", "+6281234567890"),
        ("+62 (812) 3456-7890", "+6281234567890"),
        ("+62 812 3456 789", "+628123456789"),
        ("62.812.3456.7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("081377712345", "+6281377712345"),
        ("+6281355550101", "+6281355550101"),
        ("+62857" + "00000042", "+6285700000042"),  # the demo generator's accounts
        # landlines: Jakarta, Padang, Pariaman
        ("021-555 1234", "+62215551234"),
        ("+62 (21) 555 1234", "+62215551234"),
        ("+62 21 5551234", "+62215551234"),
        ("02155512345", "+622155512345"),
        ("0751 7051234", "+627517051234"),
        ("0752-82123", "+6275282123"),
    ],
)
def test_every_written_form_becomes_one_number(raw, expected):
    assert phone_normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345",
        "0000-0000",
        "0001-01-01",
        "+1 212 555 0100",  # not Indonesian
        "+44 20 7946 0958",
        # prefixes the numbering plan does not allocate, at plausible lengths (each accepted before)
        "0840-1234-5678",  # no operator holds 084x
        "0123-4567-890",  # no area code starts with 1
        "0700-1234-5678",  # 07xx areas hold landlines of 7 to 8 digits, not mobile-length numbers
        "0812-3456-7",  # a Telkomsel number too short (accepted before)
        "0800-1234-567",  # toll-free: nobody's contact (accepted before)
        "+62 21 1234",  # a Jakarta number too short
        "0812-3456-7890-123",  # a mobile number too long
        "+62 1500 123",  # a short service number
    ],
)
def test_a_number_outside_the_numbering_plan_is_no_phone(raw):
    assert phone_normalize(raw) is None
    assert phone_kind(raw) is None


def test_a_number_is_mobile_or_landline_by_its_prefix():
    assert phone_kind("0812-3456-7890") == "mobile"
    assert phone_kind("+62 899 1234 5678") == "mobile"  # Tri
    assert phone_kind("0881-2345-6789") == "mobile"  # Smartfren
    assert phone_kind("021-555 1234") == "landline"
    assert phone_kind("0751 7051234") == "landline"


def test_a_national_prefix_written_after_the_country_code_is_dropped():
    assert phone_normalize("+62 (0) 812-3456-7890") == "+6281234567890"


def test_a_mask_keeps_the_operator_and_the_last_three_digits():
    assert phone_mask("+6281234567890") == "+6281******890"
    assert phone_mask("") == ""
