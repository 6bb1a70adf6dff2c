"""Personal data is masked, including the forms people actually type."""

import pytest

from lapor.core.masking import EMAIL_MASK, NAME_MASK, NIK_MASK, PHONE_MASK, PLATE_MASK, text_mask


@pytest.mark.parametrize(
    "raw",
    [
        "NIK saya 3578012345670001 tolong dicek",
        "NIK: 3578 0123 4567 0001",
        "KK 3578.0123.4567.0001 hilang",
        "nomor 3578-0123-4567-0001",
    ],
)
def test_national_id_numbers(raw):
    masked = text_mask(raw)
    assert NIK_MASK in masked and "0001" not in masked


@pytest.mark.parametrize(
    "raw",
    [
        "hubungi 081234567890",
        "hubungi +6281234567890",
        "hubungi +62 812-3456-7890",
        "hubungi 0812.3456.7890",
        "hubungi 62 812 3456 789",
        "WA 0857 1234 5678 ya",
    ],
)
def test_phone_numbers(raw):
    masked = text_mask(raw)
    assert PHONE_MASK in masked and "3456" not in masked and "1234 5678" not in masked


@pytest.mark.parametrize(
    "raw", ["email budi.s@gmail.com", "email budi (at) mail.co.id", "budi_santoso+lapor@yahoo.co.id"]
)
def test_email_addresses(raw):
    assert EMAIL_MASK in text_mask(raw)


@pytest.mark.parametrize("raw", ["mobil B 1234 XYZ parkir", "motor BA 4567 QR", "truk DK1234AB"])
def test_vehicle_plates(raw):
    assert PLATE_MASK in text_mask(raw)


def test_reporter_name_for_anonymous_reports():
    masked = text_mask("Saya Siti Rahmawati, warga RT 03. siti mohon bantuan", names=["Siti Rahmawati"])
    assert "Siti" not in masked and "siti" not in masked and "Rahmawati" not in masked
    assert masked.count(NAME_MASK) == 2  # the full name is one name: one mask


def test_ordinary_numbers_and_words_are_kept():
    text = "Jalan rusak sepanjang 250 meter sejak 2023, RT 03 RW 05, biaya Rp 1.500.000"
    assert text_mask(text) == text


def test_a_short_name_word_does_not_mask_everything():
    assert text_mask("Ada lubang di jalan", names=["Al"]) == "Ada lubang di jalan"


# Name masking masks a name as a name and keeps the words of the report's place names: a lone word
# masked inside "Koto Panjang" would tell the public which part of the place is in the reporter's name.
PLACES = ("Sumatera Barat", "Kota Padang Panjang", "Padang Panjang Barat", "Koto Panjang")
M = NAME_MASK


@pytest.mark.parametrize(
    "name,text,expected",
    [
        # a name word that is also a word of a place of the report's region: the place is kept, whole
        ("Zubaidah Panjang", "Jalan di Koto Panjang rusak", "Jalan di Koto Panjang rusak"),
        ("Rina Panjang", "jalan rusak di koto panjang", "jalan rusak di koto panjang"),
        ("Rina Panjang", "Kantor di Padang Panjang Barat tutup", "Kantor di Padang Panjang Barat tutup"),
        ("Andi Padang", "Warga Kota Padang Panjang mengeluh", "Warga Kota Padang Panjang mengeluh"),
        # ... and on its own: never masked alone (it may be the place)
        ("Rina Panjang", "Antrean panjang sekali", "Antrean panjang sekali"),
        # the full name is masked even when one of its words is a place word
        ("Rina Panjang", "Saya Rina Panjang dari Koto Panjang", f"Saya {M} dari Koto Panjang"),
        ("Rina Panjang", "saya rina panjang melapor", f"saya {M} melapor"),
        # a run of two or more words of the name, in any order, with titles and dots between
        ("Siti Nur Aminah", "Bu Siti Aminah dipungut biaya", f"Bu {M} dipungut biaya"),
        ("Budi Santoso", "tertanda SANTOSO, Budi", f"tertanda {M}, {M}"),
        ("Budi Santoso", "Santoso Budi melapor", f"{M} melapor"),
        ("Muhammad Rizal", "ditandatangani Muh. Rizal", f"ditandatangani Muh. {M}"),
        ("Muhammad Rizal", "ditandatangani Muhammad. Rizal", f"ditandatangani {M}"),
        ("Ma'ruf Amin", "dari Ma'ruf di RT 2", f"dari {M} di RT 2"),
        ("Al Ghazali", "Al Ghazali melapor, al dan ghazali", f"{M} melapor, al dan {M}"),
        # a single word of the name that no place shares, any case
        ("Zubaidah Panjang", "lapor oleh zubaidah", f"lapor oleh {M}"),
        ("Zubaidah Panjang", "ZUBAIDAH tinggal di Koto Panjang", f"{M} tinggal di Koto Panjang"),
        # a name word beside a place: the name word goes, the place stays whole
        ("Rina Koto", "Rina Koto Panjang melapor", f"{M} Koto Panjang melapor"),
        # words inside other words are not names
        ("Ani", "Anita dan pelanggan", "Anita dan pelanggan"),
    ],
)
def test_names_are_masked_as_names_and_place_names_stay_whole(name, text, expected):
    assert text_mask(text, names=[name], places=PLACES) == expected


def test_without_places_every_word_of_the_name_is_masked():
    # a report without a region: no place to keep
    assert text_mask("Antrean panjang", names=["Rina Panjang"]) == f"Antrean {M}"


def test_a_place_phrase_never_shows_a_mask_inside_it():
    for name in ("Koto Sari", "Sari Panjang", "Padang Wulan", "Barat Hasan", "Sumatera Putri"):
        masked = text_mask("di Koto Panjang, Padang Panjang Barat, Sumatera Barat", names=[name], places=PLACES)
        assert NAME_MASK not in masked, (name, masked)


@pytest.mark.parametrize(
    "text, gone, kept",
    [
        ("tinggal di Gang Kenarimas Nomor 13, RT 04 RW 09.", ["Kenarimas", "13"], ["tinggal di", "RT 04 RW 09"]),
        ("Jl. Melati No. 3A rusak", ["Melati", "3A"], ["rusak"]),
        ("rumah di Perum Griya Asri Blok C-7", ["Griya", "C-7"], ["rumah di"]),
        ("Jl Ahmad Yani nomor 12 Padang", ["Yani", "12"], ["Padang"]),
        ("rumah saya jl melati no 3 belakang masjid", ["melati", "no 3"], ["belakang masjid"]),
        ("Jalan Sudirman No. 5", ["Sudirman"], []),
    ],
)
def test_a_home_address_is_masked(text, gone, kept):
    masked = text_mask(text)
    assert "[alamat disamarkan]" in masked
    assert not [g for g in gone if g in masked], masked
    assert all(k in masked for k in kept), masked


@pytest.mark.parametrize(
    "text",
    [
        "lubang di Jalan Sudirman dekat sekolah",
        "Jalan Sudirman km 5 longsor",
        "gang sempit di belakang pasar",
        "Jalan berlubang nomor 59",
        "jalan rusak parah no 5 hari",
    ],
)
def test_a_street_without_a_house_number_stays(text):
    """Where a pothole is: staff and the public need it."""
    assert text_mask(text) == text
