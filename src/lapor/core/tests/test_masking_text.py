"""Personal data is masked, including the forms people actually type."""
import pytest

from lapor.core.masking import EMAIL_MASK, NAME_MASK, NIK_MASK, PHONE_MASK, PLATE_MASK, text_mask


@pytest.mark.parametrize("raw", [
    "NIK saya 3578012345670001 tolong dicek",
    "NIK: 3578 0123 4567 0001",
    "KK 3578.0123.4567.0001 hilang",
    "nomor 3578-0123-4567-0001",
])
def test_national_id_numbers(raw):
    masked = text_mask(raw)
    assert NIK_MASK in masked and "0001" not in masked


@pytest.mark.parametrize("raw", [
    "hubungi 081234567890", "hubungi +6281234567890", "hubungi +62 812-3456-7890",
    "hubungi 0812.3456.7890", "hubungi 62 812 3456 789", "WA 0857 1234 5678 ya",
])
def test_phone_numbers(raw):
    masked = text_mask(raw)
    assert PHONE_MASK in masked and "3456" not in masked and "1234 5678" not in masked


@pytest.mark.parametrize("raw", ["email budi.s@gmail.com", "email budi (at) mail.co.id", "budi_santoso+lapor@yahoo.co.id"])
def test_email_addresses(raw):
    assert EMAIL_MASK in text_mask(raw)


@pytest.mark.parametrize("raw", ["mobil B 1234 XYZ parkir", "motor BA 4567 QR", "truk DK1234AB"])
def test_vehicle_plates(raw):
    assert PLATE_MASK in text_mask(raw)


def test_reporter_name_for_anonymous_reports():
    masked = text_mask("Saya Siti Rahmawati, warga RT 03. siti mohon bantuan", names=["Siti Rahmawati"])
    assert "Siti" not in masked and "siti" not in masked and "Rahmawati" not in masked
    assert masked.count(NAME_MASK) == 3


def test_ordinary_numbers_and_words_are_kept():
    text = "Jalan rusak sepanjang 250 meter sejak 2023, RT 03 RW 05, biaya Rp 1.500.000"
    assert text_mask(text) == text


def test_a_short_name_word_does_not_mask_everything():
    assert text_mask("Ada lubang di jalan", names=["Al"]) == "Ada lubang di jalan"
