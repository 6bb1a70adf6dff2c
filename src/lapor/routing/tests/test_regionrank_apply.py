"""Region sense: a suggested agency of another province/regency than the report's place is never
ranked above the agency with the same role in that place."""

from lapor.accounts.testing import agency_make, region_make
from lapor.agencies.models import Agency
from lapor.agencies.selectors import region_named_in
from lapor.reports import services as s
from lapor.routing.regionrank import Candidate, is_foreign, region_rerank, role_of
from lapor.routing.suggest import report_region_code


def names(cands):
    return [(c.agency.name, c.confidence, c.foreign) for c in cands]


def test_an_agency_of_another_city_gives_way_to_the_same_role_in_the_reports_city(net):
    # "Dinas PUPR" of Padang Panjang suggested for a pothole in Kota Padang: Padang's own Dinas PUPR
    ranked = region_rerank(
        [Candidate(net.dept, 0.4, "kata: jalan"), Candidate(net.other_city, 0.1, "kata: kota")], "13.71"
    )
    assert names(ranked) == [("Dinas PUPR Kota Padang", 0.4, False), ("Pemerintah Kota Padang", 0.1, False)]
    assert ranked[0].reason == "kata: jalan; wilayah laporan"


def test_a_foreign_agency_without_a_local_counterpart_goes_below_the_local_ones_and_is_marked(net):
    # no Dinas Kesehatan in Kota Padang: the Padang Panjang one stays, but after Padang's own agencies
    ranked = region_rerank(
        [Candidate(net.health, 0.6, "kata: obat"), Candidate(net.other_city, 0.05, "kata: kota")], "13.71.01"
    )
    assert names(ranked) == [("Pemerintah Kota Padang", 0.05, False), ("Dinas Kesehatan", 0.6, True)]


def test_a_regency_and_a_city_government_are_the_same_role(net):
    regency = region_make("13.05", "Kabupaten Padang Pariaman")
    pariaman = agency_make("Pemerintah Kabupaten Padang Pariaman", Agency.Kind.REGENCY, region=regency)
    solok = agency_make(
        "Pemerintah Kabupaten Solok Selatan",
        Agency.Kind.REGENCY,
        region=region_make("13.11", "Kabupaten Solok Selatan"),
    )
    assert role_of(pariaman) == role_of(solok) == role_of(net.other_city) == ("regency", "pemerintah")
    ranked = region_rerank([Candidate(net.other_city, 0.05, "a"), Candidate(solok, 0.04, "b")], "13.05")
    # both point at Padang Pariaman's own government: offered once, with the belief in that role
    assert names(ranked) == [("Pemerintah Kabupaten Padang Pariaman", 0.09, False)]


def test_agencies_of_the_reports_region_its_parents_and_national_ones_are_never_foreign(net):
    ministry = agency_make("Kementerian Kesehatan", Agency.Kind.MINISTRY)
    province_gov = agency_make("Pemerintah Provinsi Sumatera Barat", Agency.Kind.PROVINCE, region=net.province)
    for agency in (ministry, province_gov, net.city, net.dept):
        assert not is_foreign(agency, "13.74.02.1001")
    assert is_foreign(net.other_city, "13.74.02.1001") and not is_foreign(net.city, "13.74")
    ranked = region_rerank([Candidate(ministry, 0.3, "a"), Candidate(net.city, 0.2, "b")], "13.74.02")
    assert names(ranked) == [("Kementerian Kesehatan", 0.3, False), ("Pemerintah Kota Padang Panjang", 0.2, False)]


def test_a_rule_keeps_its_place_and_no_region_changes_nothing(net):
    cands = [Candidate(net.dept, 1.0, "aturan", "rule"), Candidate(net.other_dept, 0.3, "kata: jalan")]
    assert region_rerank(list(cands), None) == cands
    ranked = region_rerank(list(cands), "13.74.02")  # Padang's Dinas PUPR -> Padang Panjang's: the rule's own
    assert names(ranked) == [("Dinas PUPR", 1.0, False)] and ranked[0].source == "rule"


def test_the_region_of_a_report_without_one_comes_from_the_place_its_text_names(net):
    region_make("13.05", "Kabupaten Padang Pariaman")
    assert region_named_in("Air PDAM mati di Kabupaten Padang Pariaman sejak kemarin") == "13.05"
    assert region_named_in("Air mati di Padang Panjang") == "13.74"  # the longest name, not "Padang"
    assert region_named_in("Air mati tiga hari") is None
    report, _ = s.report_submit(
        submission=s.Submission(title="Air PDAM mati", body="Air PDAM mati di Kabupaten Padang Pariaman"),
        reporter=net.user("reporter"),
    )
    assert report.region_id is None and report_region_code(report) == "13.05"
    placed, _ = s.report_submit(
        submission=s.Submission(title="Air mati", body="Air mati di Padang Pariaman", region_code="13.74.02"),
        reporter=net.user("reporter"),
    )
    assert report_region_code(placed) == "13.74.02"  # the report's own region wins over its text
