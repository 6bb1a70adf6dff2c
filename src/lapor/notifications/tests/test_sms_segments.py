from lapor.notifications.sms import sms_segments


def test_gsm7_fits_160_then_153_per_part():
    assert len(sms_segments("a" * 160)) == 1
    parts = sms_segments("a" * 161)
    assert [len(p) for p in parts] == [153, 8]


def test_extension_characters_cost_two_and_unicode_drops_to_70_67():
    assert len(sms_segments("€" * 80)) == 1 and len(sms_segments("€" * 81)) == 2
    parts = sms_segments("ā" * 71)
    assert [len(p) for p in parts] == [67, 4]
