"""A routing suggestion's reason reads in the page's language (round 19's walk found "kata: …;
wilayah laporan" on the English routing form): labels and fixed words translated, topic names in
English where the topic has one, the report's own words as written."""

from django.utils import translation

from lapor.web.templatetags.lapor_web import every_words, percent, route_reason


def test_reasons_read_in_english_and_stay_as_written_in_indonesian(net):
    net.roads.name_en = "Roads and bridges"
    net.roads.save()
    model = "kata: jalan, berlubang; topik: Jalan dan Jembatan; wilayah laporan"
    rule = "aturan: Jalan dan Jembatan × semua wilayah"
    place = "lokasi: Bukit Surungan"
    with translation.override("en"):
        assert route_reason(model) == "words: jalan, berlubang; topic: Roads and bridges; the report's region"
        assert route_reason(rule) == "rule: Roads and bridges × all regions"
        assert route_reason("aturan: Kesehatan × Kota Padang Panjang") == "rule: Kesehatan × Kota Padang Panjang"
        assert route_reason(place) == "place: Bukit Surungan" and route_reason("pola umum") == "general pattern"
    with translation.override("id"):
        for reason in (model, rule, place, "pola umum"):
            assert route_reason(reason) == reason


def test_shares_read_as_percentages_and_periods_as_words():
    with translation.override("id"):
        assert percent(0.875) == "87,5%" and percent(0.5) == "50%" and percent(None) == "–"
        assert every_words(604800) == "setiap 7 hari" and every_words(43200) == "setiap 12 jam"
        assert every_words(120) == "setiap 2 menit" and every_words(5400) == "setiap 90 menit"
        assert every_words(86400) == "setiap hari" and every_words(3600) == "setiap jam"
    with translation.override("en"):
        assert percent(0.875) == "87.5%" and percent(1) == "100%"
        assert every_words(86400) == "every day" and every_words(3 * 86400) == "every 3 days"
        assert every_words(3600) == "every hour" and every_words(60) == "every minute"
