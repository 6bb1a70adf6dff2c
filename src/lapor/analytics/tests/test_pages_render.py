"""The analytics pages render for staff, with every number linked to its reports; no inline script."""

from lapor.analytics.rollup import rollup_refresh


def test_staff_pages_render_with_charts_tables_and_drill_links(net, client, reports):
    rollup_refresh(full=True)
    client.force_login(net.user("platform"))
    res = client.get("/analytics/", {"from": "2025-01", "to": "2025-12"})
    html = res.content.decode()
    assert res.status_code == 200 and "<svg" in html and "/analytics/laporan?scope=n" in html and "Data per" in html
    assert (
        "<script>" not in html and '<script src="/static/web/app.js" defer>' in html
    )  # files only (CSP): the site's own
    for url in (
        "/analytics/peringkat",
        "/analytics/konektivitas",
        "/analytics/rencana-aksi",
        "/analytics/laporan?scope=n&from=2025-01&to=2025-12&dim=state&key=done",
        "/analytics/publik",
    ):
        assert client.get(url).status_code == 200, url
    res = client.get("/analytics/laporan?scope=n&from=2025-01&to=2025-12&format=csv")
    assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")


def test_the_scope_is_picked_from_names_not_typed_as_a_code(net, client, reports):
    """Civil servants pick "Nasional" or their agency by name; no code to type ("n", "a:12")."""
    rollup_refresh(full=True)
    client.force_login(net.user("platform"))
    html = client.get("/analytics/").content.decode()
    assert '<option value="n" selected>Nasional</option>' in html and '<option value="p">' in html
    assert 'name="scope" value=' not in html  # no free-text code box
    assert "Jumlah laporan" in html and ">n<" not in html and ">P90<" not in html
    client.force_login(net.user("dept_admin"))
    html = client.get("/analytics/").content.decode()
    assert f'<option value="a:{net.dept.pk}" selected>{net.dept.name}</option>' in html and 'value="n"' not in html
    # a deeper agency reached through a dashboard link is selected, the granted one still offered
    html = client.get("/analytics/", {"scope": f"a:{net.unit.pk}"}).content.decode()
    assert f'<option value="a:{net.unit.pk}" selected>{net.unit.name}</option>' in html
    assert f'<option value="a:{net.dept.pk}">' in html


def test_pages_refuse_citizens_and_send_guests_to_sign_in(net, client):
    assert client.get("/analytics/").status_code == 302
    client.force_login(net.user("reporter"))
    assert client.get("/analytics/").status_code == 403
    client.force_login(net.user("dept_admin"))
    assert client.get("/analytics/?scope=n").status_code == 403
    assert client.get("/analytics/?from=bad").status_code == 400


def test_monthly_pdf_is_generated_for_an_agency(net, api, reports, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    rollup_refresh(full=True)
    res = api.get(f"/api/analytics/pdf/{net.dept.pk}/2025-04", user=net.user("dept_admin"))
    assert res.status_code == 200 and b"".join(res.streaming_content).startswith(b"%PDF")
    assert api.get(f"/api/analytics/pdf/{net.other_dept.pk}/2025-04", user=net.user("dept_admin")).status_code == 403


def test_monthly_pdf_job_writes_one_file_per_agency_with_reports_that_month(net, reports, settings, tmp_path):
    import datetime as dt

    from lapor.analytics.models import StatCell
    from lapor.analytics.pdf import pdf_path
    from lapor.analytics.tasks import monthly_pdfs

    settings.DATA_DIR = tmp_path
    rollup_refresh(full=True)
    expected = set(
        StatCell.objects.filter(scope__startswith="a:", dim="received", month=dt.date(2025, 4, 1)).values_list(
            "scope", flat=True
        )
    )
    assert expected and monthly_pdfs("2025-04") == len(expected)
    assert all(pdf_path(int(s[2:]), dt.date(2025, 4, 1)).exists() for s in expected)
