"""WhatsApp media beyond photos, against the local fake of the Cloud API: a location pin sets the
place of the report being filed or is added to the citizen's open report; a document becomes an
attachment when the attachment rules allow its type and size, and is refused with a clear answer
otherwise; a voice note (OGG/Opus, not an attachment type) is not kept and the citizen is asked to
write, while an MP3 sent as audio is kept."""

import pytest

from lapor.core.tests import canary as cy
from lapor.intake.models import WhatsAppConversation
from lapor.reports.attachments import attachment_path
from lapor.reports.models import Attachment, Message, Report, ReportEvent
from lapor.reports.tests.test_attachment_metadata import CANARY, mp3

from . import fake_cloud_api as wa
from .test_whatsapp_receive import WA_ID, cloud, send  # noqa: F401  (the fixture)


def file_report(client, cloud, wamid="wamid.M0", text="LAPOR Jalan berlubang di depan pasar"):  # noqa: F811
    return Report.objects.get(tracking_id=send(client, cloud, wa.text_message(wamid, text))["tracking_id"])


# --- Location pins ------------------------------------------------------------------------------


def test_a_pin_at_the_place_question_sets_the_reports_coordinates_and_region(net, client, cloud):  # noqa: F811
    send(client, cloud, wa.text_message("wamid.L1", "Jembatan kayu retak, berbahaya untuk anak sekolah"))
    assert send(client, cloud, wa.text_message("wamid.L2", "0"))["step"] == "place"
    pin = wa.location_message(
        "wamid.L3", -0.4627, 100.4011, name="Pasar Padang Panjang", address="Bukit Surungan, Padang Panjang"
    )
    assert send(client, cloud, pin)["step"] == "confirm"
    assert "Pasar Padang Panjang" in cloud.texts()[-1]
    report = Report.objects.get(tracking_id=send(client, cloud, wa.text_message("wamid.L4", "YA"))["tracking_id"])
    assert (float(report.latitude), float(report.longitude)) == (-0.4627, 100.4011)
    assert report.region_id == "13.74.02.1001" and "Bukit Surungan" in report.address


def test_a_pin_without_a_flow_starts_one_whose_place_is_known(net, client, cloud):  # noqa: F811
    out = send(client, cloud, wa.location_message("wamid.L5", -0.46, 100.40))
    assert out["step"] == "body"
    send(client, cloud, wa.text_message("wamid.L6", "Sampah menumpuk di sini sejak seminggu"))
    assert send(client, cloud, wa.text_message("wamid.L7", "0"))["step"] == "confirm"  # no place question
    report = Report.objects.get(tracking_id=send(client, cloud, wa.text_message("wamid.L8", "ya"))["tracking_id"])
    assert (float(report.latitude), float(report.longitude)) == (-0.46, 100.4)
    assert report.address.startswith("Titik peta -0.46000, 100.40000")


def test_a_pin_after_filing_is_added_to_the_open_report_with_an_event(net, client, cloud):  # noqa: F811
    report = file_report(client, cloud)
    out = send(
        client, cloud, wa.location_message("wamid.L9", -0.4627, 100.4011, name="Pasar", address="Padang Panjang")
    )
    assert out == {"status": "ok", "action": "location", "tracking_id": report.tracking_id}
    report.refresh_from_db()
    assert (float(report.latitude), float(report.longitude)) == (-0.4627, 100.4011)
    assert report.region_id == "13.74" and report.address == "Pasar, Padang Panjang"
    event = ReportEvent.objects.get(report=report, kind="location")
    assert event.actor_role == "reporter" and event.data["previous"] is None
    assert report.tracking_id in cloud.texts(WA_ID)[-1] and "Lokasi" in cloud.texts(WA_ID)[-1]


@pytest.mark.parametrize("lat, lon", [(91, 100), (-0.4, 181), ("utara", 100), (None, 100), (True, 100), ("nan", 1)])
def test_an_invalid_pin_changes_nothing_and_asks_again(net, client, cloud, lat, lon):  # noqa: F811
    report = file_report(client, cloud)
    out = send(client, cloud, wa.location_message("wamid.L10", lat, lon))
    assert out == {"status": "rejected", "action": "location", "reason": "invalid_location"}
    report.refresh_from_db()
    assert report.latitude is None and "Titik lokasi tidak dapat dibaca" in cloud.texts()[-1]


def test_control_characters_in_a_pin_or_a_file_name_are_dropped_before_the_draft_is_stored(net, client, cloud):  # noqa: F811
    # the flow's draft is jsonb on PostgreSQL, which refuses NUL
    send(client, cloud, wa.text_message("wamid.N1", "Lampu\x00 taman mati"))
    cloud.media_add("7201", cy.PDF, "application/pdf")
    send(client, cloud, wa.document_message("wamid.N2", "7201", filename="bukti\x00.pdf", mime="application/pdf"))
    send(client, cloud, wa.text_message("wamid.N3", "0"))
    send(
        client,
        cloud,
        wa.location_message("wamid.N4", -0.46, 100.4, name="Taman\x00 Kota", address="Padang\u202e Panjang"),
    )
    report = Report.objects.get(tracking_id=send(client, cloud, wa.text_message("wamid.N5", "YA"))["tracking_id"])
    assert report.body == "Lampu taman mati" and report.address == "Taman Kota, Padang Panjang"
    assert Attachment.objects.get(report=report).original_name == "bukti.pdf"


# --- Documents ----------------------------------------------------------------------------------


def test_a_pdf_with_a_lapor_caption_is_a_report_with_the_document_cleaned(net, client, cloud):  # noqa: F811
    cloud.media_add("7001", cy.PDF, "application/pdf")
    doc = wa.document_message(
        "wamid.D1", "7001", filename="kwitansi pungli.pdf", mime="application/pdf", caption="LAPOR Pungli surat pindah"
    )
    report = Report.objects.get(tracking_id=send(client, cloud, doc)["tracking_id"])
    att = Attachment.objects.get(report=report)
    assert att.content_type == "application/pdf" and att.original_name == "kwitansi pungli.pdf"
    assert cy.A_NAME.encode() in cy.PDF and cy.A_NAME.encode() not in attachment_path(att).read_bytes()


def test_a_document_without_caption_is_added_to_the_report_waiting_for_the_citizen(net, client, cloud):  # noqa: F811
    report = file_report(client, cloud)
    cloud.media_add("7002", cy.DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    doc = wa.document_message(
        "wamid.D2",
        "7002",
        filename="kronologi.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    ack_id = cloud.sent[0]["wamid"]
    out = send(client, cloud, {**doc, "context": {"from": "621708", "id": ack_id}})
    assert out["action"] == "reply" and out["tracking_id"] == report.tracking_id
    message = Message.objects.get(report=report)
    assert message.body == "(berkas terlampir)" and message.attachments.get().original_name == "kronologi.docx"


def test_a_document_of_a_type_the_rules_refuse_is_not_fetched_and_the_citizen_is_told(net, client, cloud):  # noqa: F811
    report = file_report(client, cloud)
    cloud.media_add("7003", b"PK\x03\x04 zip", "application/zip")
    doc = wa.document_message("wamid.D3", "7003", filename="bukti.zip", mime="application/zip")
    out = send(client, cloud, doc)
    assert out == {"status": "rejected", "action": "media", "reason": "media_refused"}
    assert "7003" not in cloud.media_requests and not Attachment.objects.filter(report=report).exists()
    assert "bukti.zip" in cloud.texts()[-1] and "jenis berkas tidak diizinkan" in cloud.texts()[-1]


def test_a_document_whose_bytes_are_not_what_it_claims_is_refused_by_the_attachment_rules(net, client, cloud):  # noqa: F811
    cloud.media_add("7004", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    doc = wa.document_message("wamid.D4", "7004", filename="surat.pdf", mime="application/pdf", caption="LAPOR Pungli")
    report = Report.objects.get(tracking_id=send(client, cloud, doc)["tracking_id"])
    assert not Attachment.objects.filter(report=report).exists()
    assert any("surat.pdf tidak dapat dilampirkan" in t and "Jenis berkas tidak diizinkan" in t for t in cloud.texts())


def test_a_document_over_the_upload_limit_is_refused_with_the_limit(net, client, cloud, settings):  # noqa: F811
    settings.LAPOR_MAX_UPLOAD_BYTES = 1024 * 1024
    cloud.media_add("7005", b"%PDF-1.4\n" + bytes(1024 * 1024 + 10), "application/pdf")
    doc = wa.document_message("wamid.D5", "7005", filename="besar.pdf", mime="application/pdf", caption="LAPOR Banjir")
    report = Report.objects.get(tracking_id=send(client, cloud, doc)["tracking_id"])
    assert not Attachment.objects.filter(report=report).exists()
    assert any("besar.pdf terlalu besar (maksimal 1 MB)" in t for t in cloud.texts())


def test_a_document_sent_during_the_flow_is_attached_when_it_is_filed(net, client, cloud):  # noqa: F811
    send(client, cloud, wa.text_message("wamid.D6", "Puskesmas tutup pada jam kerja"))
    cloud.media_add("7006", cy.PDF, "application/pdf")
    assert (
        send(client, cloud, wa.document_message("wamid.D7", "7006", filename="jadwal.pdf", mime="application/pdf"))[
            "step"
        ]
        == "topic"
    )
    assert "Lampiran: 1" not in cloud.texts()[-1]  # the topic question again
    send(client, cloud, wa.text_message("wamid.D8", "0"))
    send(client, cloud, wa.text_message("wamid.D9", "Padang Panjang"))
    assert "Lampiran: 1" in cloud.texts()[-1]
    report = Report.objects.get(tracking_id=send(client, cloud, wa.text_message("wamid.D10", "YA"))["tracking_id"])
    assert Attachment.objects.get(report=report).original_name == "jadwal.pdf"
    assert not WhatsAppConversation.objects.exists()


# --- Audio --------------------------------------------------------------------------------------


def test_a_voice_note_is_not_kept_and_the_citizen_is_asked_to_write(net, client, cloud):  # noqa: F811
    report = file_report(client, cloud)
    cloud.media_add("7101", b"OggS\x00\x02voice", "audio/ogg")
    out = send(client, cloud, wa.audio_message("wamid.V1", "7101"))
    assert out == {"status": "rejected", "action": "media", "reason": "voice_not_kept"}
    assert "7101" not in cloud.media_requests and not Attachment.objects.filter(report=report).exists()
    assert "pesan suara tidak dapat kami simpan" in cloud.texts()[-1] and "teks" in cloud.texts()[-1]
    assert not Message.objects.filter(report=report).exists() and not WhatsAppConversation.objects.exists()


def test_an_mp3_sent_as_audio_is_kept_as_an_attachment_without_its_tags(net, client, cloud):  # noqa: F811
    report = file_report(client, cloud)
    data = mp3()
    cloud.media_add("7102", data, "audio/mpeg")
    ack_id = cloud.sent[0]["wamid"]
    audio = {**wa.audio_message("wamid.V2", "7102", voice=False, mime="audio/mpeg")}
    audio["context"] = {"from": "621708", "id": ack_id}
    assert send(client, cloud, audio)["action"] == "reply"
    att = Attachment.objects.get(report=report)
    assert att.content_type == "audio/mpeg" and att.original_name == "rekaman-whatsapp.mp3"
    assert CANARY.encode() in data and CANARY.encode() not in attachment_path(att).read_bytes()
