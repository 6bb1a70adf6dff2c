"""The unusual-volume rule on constructed series: Poisson z-score against the trailing 8 weeks."""

from lapor.analytics.stats import alert_check, alerts_detect, percentile

WEEKS = [f"2025-01-{d:02d}" for d in (6, 13, 20, 27)] + [
    "2025-02-03",
    "2025-02-10",
    "2025-02-17",
    "2025-02-24",
    "2025-03-03",
]


def test_a_spike_far_above_the_trailing_mean_is_flagged_and_ordinary_noise_is_not():
    series = {
        "spike": dict(zip(WEEKS, [4, 5, 3, 4, 6, 5, 4, 5, 30])),  # mean 4.5, z = 12
        "noise": dict(zip(WEEKS, [20, 25, 18, 22, 24, 19, 21, 23, 28])),  # mean 21.5, z = 1.4
        "tiny": dict(zip(WEEKS, [0, 0, 0, 0, 0, 0, 0, 0, 6])),  # below the minimum count
    }
    found = alerts_detect(series, WEEKS)
    assert [a.key for a in found] == ["spike"]
    assert found[0].baseline == 4.5 and found[0].count == 30 and found[0].z > 3


def test_the_threshold_is_exactly_z_three():
    # mean 9 -> sd 3: 18 is z = 3 (flagged), 17 is z = 2.67 (not)
    assert alert_check("k", [9] * 8, 18) is not None
    assert alert_check("k", [9] * 8, 17) is None


def test_a_new_topic_with_no_history_needs_the_minimum_count():
    assert alert_check("new", [0] * 8, 9) is None
    assert alert_check("new", [0] * 8, 10).z == 10.0  # mean 0 counts as 1


def test_percentiles_are_nearest_rank_over_the_histogram():
    hist = {0: 5, 1: 3, 4: 1, 10: 1}  # 10 values
    assert percentile(hist, 0.5) == 0 and percentile(hist, 0.8) == 1 and percentile(hist, 0.9) == 4
    assert percentile({}, 0.5) is None
