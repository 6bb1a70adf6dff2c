from lapor.notifications.sms import sms_segments


def test_gsm7_fits_160_then_153_per_part():
    assert len(sms_segments("a" * 160)) == 1
    parts = sms_segments("a" * 161)
    assert [len(p) for p in parts] == [153, 8]


def test_extension_characters_cost_two_and_unicode_drops_to_70_67():
    assert len(sms_segments("€" * 80)) == 1 and len(sms_segments("€" * 81)) == 2
    parts = sms_segments("ā" * 71)
    assert [len(p) for p in parts] == [67, 4]


def test_gsm7_replaces_typography_and_drops_what_gsm7_cannot_say():
    from lapor.notifications.sms import sms_gsm7, sms_is_gsm7

    text = sms_gsm7("Jalan “rusak” — sudah diperbaiki… café naïve ā 🙂")
    assert text == 'Jalan "rusak" - sudah diperbaiki... café naive a '
    assert sms_is_gsm7(text)


def test_an_answer_fits_its_parts_with_the_head_and_tail_kept():
    from lapor.notifications.sms import sms_fit

    body = "kata " * 200
    for n in (1, 2, 3):
        text = sms_fit("LAPOR! AB12-CD34: ", body, " Selengkapnya: https://x.id/k/AB12-CD34/abc", max_segments=n)
        assert len(sms_segments(text)) <= n and len(text) > n * 153 - 20  # the parts are used, not cut short
        assert text.startswith("LAPOR! AB12-CD34: kata") and text.endswith(
            "kata... Selengkapnya: https://x.id/k/AB12-CD34/abc"
        )
    short = sms_fit("A: ", "pendek", " B", max_segments=3)
    assert short == "A: pendek B"
