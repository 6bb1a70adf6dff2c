"""A table of the ways people actually write a phone number or a NIK to get past a filter: every
one is masked, and ordinary text (dates, times, money, report and street numbers) is left alone."""

import pytest

from lapor.core.masking import NIK_MASK, PHONE_MASK, text_mask

PHONES = [
    # brackets and country code
    "+62 (812) 3456-7890",
    "(+62) 812 3456 7890",
    "+62 (0) 812-3456-7890",
    "(0812) 3456 7890",
    "+62-812-3456-7890",
    "62.812.3456.7890",
    "+62 812 3456 789",
    "+ 62 812 3456 7890",
    # separators inside the number
    "0812 - 3456 - 7890",
    "0812 3456  7890",
    "0 8 1 2 3 4 5 6 7 8 9 0",
    "0-8-1-2-3-4-5-6-7-8-9-0",
    "0.8.1.2.3.4.5.6.7.8.9",
    "0812_3456_7890",
    "0812.345.67890",
    "08-1234-567-890",
    # the letter O for the zero, fullwidth and Arabic-Indic figures
    "O812 3456 7890",
    "o81234567890",
    "０８１２３４５６７８９０",
    "٠٨١٢٣٤٥٦٧٨٩٠",
    # landlines with an area code
    "(0752) 82123",
    "(021) 555-1234",
    "(021)5551234",
    "021-555 1234",
    "0752-82123",
    "0751 7051234",
    "+62 21 5551234",
    "+62 (21) 555 1234",
    "(+62 752) 82123",
    "02155512345",
    # digits as words, alone or mixed with figures
    "nol delapan satu dua tiga empat lima enam tujuh delapan sembilan nol",
    "Nol Delapan Satu Dua, Tiga Empat Lima Enam, Tujuh Delapan Sembilan",
    "kosong delapan satu tiga - dua dua tiga tiga - empat empat lima lima",
    "0812 tiga empat lima enam 7890",
    "nol 8 1 2 3 4 5 6 7 8 9 0",
    "plus enam dua delapan satu dua tiga empat lima enam tujuh",
    "zero eight one two three four five six seven eight nine",
]

NIKS = [
    "3578012345670001",
    "3578 0123 4567 0001",
    "3578.0123.4567.0001",
    "3578-0123-4567-0001",
    "357801 234567 0001",
    "35.78.01.234567.0001",
    "3578-01-234567-0001",
    "3 5 7 8 0 1 2 3 4 5 6 7 0 0 0 1",
    "tiga lima tujuh delapan nol satu dua tiga empat lima enam tujuh nol nol nol satu",
    "３５７８０１２３４５６７０００１",
]

ORDINARY = [
    "Jalan rusak sepanjang 250 meter sejak 2023, RT 03 RW 05, biaya Rp 1.500.000",
    "biaya Rp 15.000.000-25.000.000 untuk perbaikan",
    "anggaran Rp 62.812.345.000 tahun 2024",
    "dipungut Rp. 1.250.000, lalu Rp 750.000 dan Rp 2.000.000 lagi, total Rp 4.000.000",
    "tanggal 2023-05-12 jam 08.30",
    "sejak 08-05-2023 sampai 08-06-2023",
    "sejak 08/05/2023 - 08/06/2023",
    "buka pukul 08.00 - 12.00 - 13.00 - 16.00 WIB",
    "jadwal 08:00-12:00, 13:00-16:00",
    "laporan JR42-YEM9 dan laporan AB12-CD34",
    "surat nomor 0712/2023/DISHUB",
    "Jalan Sudirman km 5 longsor",
    "RT 003 RW 005 Kelurahan 27114",
    "kode pos 25126",
    "NIP 198503102010011002 bukan telepon",
    "satu dua tiga orang datang",
    "antre dari nomor satu sampai dua puluh",
    "sudah 3 4 kali datang",
    "Jalan berlubang nomor 59",
    "lubang sedalam 0,5 meter dan lebar 1,2 meter",
    "tahun 2019, 2020, 2021, 2022, 2023 dan 2024 sama saja",
    "skor 8 dari 10",
]


@pytest.mark.parametrize("raw", PHONES)
def test_every_way_of_writing_a_phone_number_is_masked(raw):
    masked = text_mask(f"tolong hubungi {raw} ya pak")
    assert masked == f"tolong hubungi {PHONE_MASK} ya pak", masked


@pytest.mark.parametrize("raw", NIKS)
def test_every_way_of_writing_a_nik_is_masked(raw):
    masked = text_mask(f"NIK saya {raw} mohon dicek")
    assert masked == f"NIK saya {NIK_MASK} mohon dicek", masked


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_left_alone(text):
    assert text_mask(text) == text
