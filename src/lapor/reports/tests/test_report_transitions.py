"""The state machine's rules, through the service functions."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from lapor.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from lapor.reports import services as s
from lapor.reports.lifecycle import TRANSITIONS, Action, State, transition_check
from lapor.reports.models import Report, ReportAssignment, ReportEvent


def submit(net, **kw) -> Report:
    sub = s.Submission(title="Lampu jalan mati", body="Lampu jalan di gang mati sejak seminggu.", **kw)
    report, _ = s.report_submit(submission=sub, reporter=net.user("reporter"))
    return report


def actor(net, key):
    return s.Actor(user=net.user(key))


def routed(net, to=None) -> Report:
    report = submit(net)
    return s.report_route(report=report, actor=actor(net, "platform"), agency=to or net.city)


def test_every_transition_names_its_roles_and_sources():
    for action, transition in TRANSITIONS.items():
        assert transition.roles, action
        assert transition.sources, action


def test_wrong_state_is_refused_with_a_reason():
    with pytest.raises(TransitionNotAllowed) as exc:
        transition_check(state=State.DONE, action=Action.FOLLOW_UP, roles={"liaison"})
    assert exc.value.code == "wrong_state"


def test_only_the_platform_verifies_new_reports(net):
    report = submit(net)
    with pytest.raises(TransitionNotAllowed) as exc:
        s.report_route(report=report, actor=actor(net, "city_admin"), agency=net.city)
    assert exc.value.code == "role_not_allowed"
    s.report_route(report=report, actor=actor(net, "platform"), agency=net.city)
    report.refresh_from_db()
    assert report.state == State.ROUTED and report.agency == net.city and report.verified_at


def test_routing_starts_the_follow_up_clock(net):
    report = routed(net)
    assert report.due_at > timezone.now()
    assert report.due_at.astimezone(dt.timezone(dt.timedelta(hours=7))).time() == dt.time(23, 59, 59)


def test_staff_of_another_agency_cannot_act(net):
    report = routed(net)
    with pytest.raises(TransitionNotAllowed):
        s.report_follow_up(report=report, actor=actor(net, "other_admin"), body="Bukan urusan kami")


def test_dispose_only_to_a_subunit(net):
    report = routed(net)
    with pytest.raises(TransitionNotAllowed):  # 409 not_a_subunit: a well-formed unit, not one below
        s.report_dispose(report=report, actor=actor(net, "city_admin"), unit=net.other_dept)
    s.report_dispose(report=report, actor=actor(net, "city_admin"), unit=net.dept)
    report.refresh_from_db()
    assert report.state == State.IN_PROGRESS and report.agency == net.dept


def test_not_authority_goes_back_one_level_each_time_and_is_counted(net):
    report = routed(net)
    s.report_dispose(report=report, actor=actor(net, "city_admin"), unit=net.dept)
    with pytest.raises(TransitionNotAllowed) as exc:
        s.report_not_authority(report=report, actor=actor(net, "liaison"), reason="  ")
    assert exc.value.code == "reason_required"
    s.report_not_authority(report=report, actor=actor(net, "liaison"), reason="Jalan provinsi, bukan kota")
    report.refresh_from_db()
    assert (report.state, report.agency, report.bounce_count) == (State.ROUTED, net.city, 1)
    s.report_not_authority(report=report, actor=actor(net, "city_admin"), reason="Kewenangan provinsi")
    report.refresh_from_db()
    assert (report.state, report.agency, report.bounce_count) == (State.SUBMITTED, None, 2)
    assert not ReportAssignment.objects.filter(report=report, ended_at__isnull=True).exists()


def test_staff_keep_seeing_reports_formerly_in_their_scope(net):
    from lapor.reports.selectors import report_qs_for

    report = routed(net)
    s.report_dispose(report=report, actor=actor(net, "city_admin"), unit=net.dept)
    s.report_not_authority(report=report, actor=actor(net, "liaison"), reason="Bukan wewenang dinas")
    assert report_qs_for(net.user("liaison")).filter(pk=report.pk).exists()
    assert not report_qs_for(net.user("other_admin")).filter(pk=report.pk).exists()


def test_postpone_pauses_the_clock_and_resume_restores_the_remaining_days(net):
    report = routed(net)
    s.report_postpone(report=report, actor=actor(net, "city_admin"), reason="Menunggu anggaran")
    report.refresh_from_db()
    assert report.state == State.POSTPONED and report.due_at is None and report.paused_remaining_days >= 4
    s.report_resume(report=report, actor=actor(net, "city_admin"))
    report.refresh_from_db()
    assert report.state == State.ROUTED and report.due_at is not None and report.paused_state == ""


def test_follow_up_then_silence_then_reply_window(net):
    report = routed(net)
    s.report_follow_up(report=report, actor=actor(net, "city_admin"), body="Sudah diperbaiki.")
    report.refresh_from_db()
    assert report.state == State.FOLLOWED_UP and report.first_follow_up_at is not None


def test_reopen_once_only(net):
    report = routed(net)
    s.report_follow_up(report=report, actor=actor(net, "city_admin"), body="Selesai.")
    s.report_complete(report=report, actor=actor(net, "reporter"))
    s.report_rate(report=report, actor=actor(net, "reporter"), rating=1, comment="Belum diperbaiki", reopen=True)
    report.refresh_from_db()
    assert report.state == State.IN_PROGRESS and report.reopen_count == 1
    s.report_follow_up(report=report, actor=actor(net, "city_admin"), body="Sekarang sudah.")
    s.report_complete(report=report, actor=actor(net, "reporter"))
    with pytest.raises(TransitionNotAllowed) as exc:
        s.report_rate(report=report, actor=actor(net, "reporter"), rating=1, comment="Masih belum", reopen=True)
    assert exc.value.code == "reopen_limit"


def test_only_the_reporter_rates(net):
    report = routed(net)
    s.report_follow_up(report=report, actor=actor(net, "city_admin"), body="Selesai.")
    s.report_complete(report=report, actor=actor(net, "reporter"))
    with pytest.raises(TransitionNotAllowed):
        s.report_rate(report=report, actor=actor(net, "city_admin"), rating=5)


def test_archive_needs_a_known_reason_and_duplicates_name_the_original(net):
    original, dup = submit(net), submit(net)
    with pytest.raises(ValidationFailed):
        s.report_archive(report=dup, actor=actor(net, "platform"), reason="bosan")
    with pytest.raises(ValidationFailed):
        s.report_archive(report=dup, actor=actor(net, "platform"), reason="duplicate")
    s.report_archive(report=dup, actor=actor(net, "platform"), reason="duplicate", duplicate_of=original)
    dup.refresh_from_db()
    assert dup.state == State.ARCHIVED and dup.duplicate_of == original


def test_agency_admin_cannot_archive_unverified_reports(net):
    report = submit(net)
    with pytest.raises(TransitionNotAllowed):
        s.report_archive(report=report, actor=actor(net, "city_admin"), reason="spam")


def test_forward_to_another_agency(net):
    report = routed(net)
    s.report_forward(
        report=report, actor=actor(net, "city_admin"), agency=net.other_city, reason="Lokasi di Kota Padang"
    )
    report.refresh_from_db()
    assert report.agency == net.other_city and report.state == State.ROUTED


def test_internal_notes_need_a_handling_role(net):
    report = routed(net)
    with pytest.raises(PermissionDenied):
        s.report_note(report=report, actor=actor(net, "overseer"), body="Catatan")
    s.report_note(report=report, actor=actor(net, "city_admin"), body="Cek lokasi besok")
    assert ReportEvent.objects.filter(report=report, kind="message", is_public=False).count() == 1


def test_only_the_reporter_turns_anonim_off(net):
    report = submit(net)
    s.report_privacy_set(report=report, actor=actor(net, "reporter"), is_anonymous=True, is_confidential=False)
    with pytest.raises(PermissionDenied):
        s.report_privacy_set(
            report=report, actor=actor(net, "platform"), is_anonymous=False, is_confidential=False, reason="verifikasi"
        )
    event = ReportEvent.objects.get(report=report, kind="privacy")
    assert event.data["after"]["is_anonymous"] is True
    s.report_privacy_set(report=report, actor=actor(net, "reporter"), is_anonymous=False, is_confidential=False)
    assert ReportEvent.objects.filter(report=report, kind="privacy").count() == 2


def test_identity_reveal_is_for_platform_admins_and_audited(net):
    report = routed(net)
    with pytest.raises(PermissionDenied):
        s.report_reporter_reveal(report=report, actor=actor(net, "city_admin"))
    identity = s.report_reporter_reveal(report=report, actor=actor(net, "platform"), reason="Verifikasi")
    assert identity["email"] == "budi@warga.example"
    assert ReportEvent.objects.filter(report=report, kind="identity_viewed", actor=net.user("platform")).count() == 1


def test_every_state_change_is_recorded_with_who_and_why(net):
    report = routed(net)
    s.report_postpone(report=report, actor=actor(net, "city_admin"), reason="Menunggu anggaran")
    event = ReportEvent.objects.filter(report=report, action="postpone").get()
    assert (event.actor, event.actor_role, event.from_state, event.to_state, event.reason) == (
        net.user("city_admin"),
        "agency_admin",
        "routed",
        "postponed",
        "Menunggu anggaran",
    )


def test_audit_events_cannot_be_changed_or_deleted(net):
    report = submit(net)
    event = ReportEvent.objects.filter(report=report).first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        ReportEvent.objects.filter(report=report).update(reason="x")
    with pytest.raises(Exception):  # the database itself refuses raw SQL updates
        with connection.cursor() as cur:
            cur.execute("UPDATE reports_reportevent SET reason = 'x' WHERE id = %s", [event.pk])


def test_bad_submission_input_is_refused_with_field_names(net):
    with pytest.raises(ValidationFailed) as exc:
        s.report_submit(submission=s.Submission(title="", body="isi"), reporter=net.user("reporter"))
    assert exc.value.detail["field"] == "title" and exc.value.code == "required"
    with pytest.raises(ValidationFailed) as exc:
        s.report_submit(submission=s.Submission(title="Judul", body="Isi"), reporter=None)
    assert exc.value.code == "contact_required"
    with pytest.raises(ValidationFailed) as exc:
        s.report_submit(
            submission=s.Submission(title="Judul", body="Isi", latitude=120.0, longitude=10.0),
            reporter=net.user("reporter"),
        )
    assert exc.value.code == "invalid_location"
    for address in ("bukan-email", "warga@", "a@b", "warga@contoh.id" + "x" * 250):
        with pytest.raises(ValidationFailed) as exc:
            s.report_submit(
                submission=s.Submission(title="Judul", body="Isi laporan", guest_email=address), reporter=None
            )
        assert exc.value.code == "invalid_email" and exc.value.detail["field"] == "guest_email", address


def test_bidirectional_controls_are_taken_out_of_texts(net):
    """U+202E (right-to-left override) shows "gnitset" for "testing": a way to disguise what a title says."""
    report, _ = s.report_submit(
        submission=s.Submission(
            title="Jalan \u202erusak\u202c berat",
            body="Isi \u2067laporan\u2069 ini",
            guest_name="Warga\u202e",
            guest_email="Warga@Contoh.ID",
        ),
        reporter=None,
    )
    report.refresh_from_db()
    assert (report.title, report.body, report.guest_name) == ("Jalan rusak berat", "Isi laporan ini", "Warga")
    assert report.guest_email == "warga@contoh.id"
    with pytest.raises(ValidationFailed) as exc:  # nothing but controls is nothing
        s.report_submit(submission=s.Submission(title="\u202e\u202d", body="Isi"), reporter=net.user("reporter"))
    assert exc.value.code == "required"
