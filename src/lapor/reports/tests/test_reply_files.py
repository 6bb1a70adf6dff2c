"""The reporter's reply with files (attachments.report_reply_with_files): the reply and its files
through the same rules as every other upload, all of it or nothing."""

import pytest

from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.reports import services
from lapor.reports.attachments import attachment_path, report_reply_with_files
from lapor.reports.models import Attachment, Message, Report

from .test_attachments_upload import jpeg_with_gps


def _answered(net, **overrides) -> Report:
    report, _ = services.report_submit(
        submission=services.Submission(title="Lampu jalan mati", body="Sudah dua minggu.", **overrides),
        reporter=net.user("reporter"),
    )
    services.report_route(report=report, actor=services.Actor(user=net.user("platform")), agency=net.dept)
    services.report_follow_up(
        report=Report.objects.get(pk=report.pk), actor=services.Actor(user=net.user("liaison")), body="Sudah."
    )
    return Report.objects.get(pk=report.pk)


def _reporter(net) -> services.Actor:
    return services.Actor(user=net.user("reporter"), is_reporter=True)


def test_the_files_belong_to_the_reply_cleaned_and_renamed_by_their_type(net):
    report = _answered(net)
    message = report_reply_with_files(
        report=report,
        actor=_reporter(net),
        body="Belum diperbaiki, lihat foto.",
        files=[("lubang.exe", jpeg_with_gps), ("lagi.jpg", jpeg_with_gps)],
    )
    assert message.kind == Message.Kind.REPLY and Report.objects.get(pk=report.pk).state == "in_progress"
    stored = list(Attachment.objects.filter(message=message).order_by("pk"))
    assert [a.original_name for a in stored] == ["lubang.jpg", "lagi.jpg"]  # the real type names the file
    assert all(a.uploaded_by == net.user("reporter") and not a.is_internal for a in stored)
    assert b"KameraRahasia" not in attachment_path(stored[0]).read_bytes()  # metadata cleaned


def test_a_refused_file_undoes_the_reply_and_names_itself(net):
    report = _answered(net)
    with pytest.raises(ValidationFailed) as caught:
        report_reply_with_files(
            report=report,
            actor=_reporter(net),
            body="Lihat berkas.",
            files=[("foto.jpg", jpeg_with_gps), ("skrip.exe", lambda: b"MZ\x90\x00 not a photo")],
        )
    exc = caught.value
    assert exc.code == "file_type_not_allowed" and exc.message.startswith("skrip.exe: ")
    assert exc.detail == {"field": "attachments", "index": 1}
    assert not Message.objects.filter(report=report, kind="reply").exists()
    assert not Attachment.objects.filter(report=report).exists()
    assert Report.objects.get(pk=report.pk).state == "followed_up"  # nothing happened


def test_the_size_cap_and_the_count_are_those_of_the_submit_form(net, settings):
    report = _answered(net)
    settings.LAPOR_MAX_UPLOAD_BYTES = len(jpeg_with_gps()) - 1
    with pytest.raises(ValidationFailed) as caught:
        report_reply_with_files(report=report, actor=_reporter(net), body="x", files=[("besar.jpg", jpeg_with_gps)])
    assert caught.value.code == "file_too_large"
    settings.LAPOR_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    many = [(f"f{i}.jpg", jpeg_with_gps) for i in range(settings.LAPOR_MAX_ATTACHMENTS + 1)]
    with pytest.raises(ValidationFailed) as caught:
        report_reply_with_files(report=report, actor=_reporter(net), body="x", files=many)
    assert caught.value.code == "too_many_files"
    assert not Attachment.objects.filter(report=report).exists()


def test_only_the_reporter_replies_with_files(net):
    report = _answered(net)
    with pytest.raises(PermissionDenied):
        report_reply_with_files(
            report=report,
            actor=services.Actor(user=net.user("other_liaison")),
            body="x",
            files=[("a.jpg", jpeg_with_gps)],
        )
    assert not Attachment.objects.filter(report=report).exists()
