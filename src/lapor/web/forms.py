"""Page forms. They only parse input: the rules live in lapor.reports.services, whose
ValidationFailed errors are attached to the matching field by ``error_to_form``."""

from __future__ import annotations

import re
import secrets

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lapor.core.errors import DomainError
from lapor.reports.models import ArchiveReason, ReportType, tracking_id_normalize

from . import selectors


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


# What the file picker offers: every type the server accepts (reports/attachments.ALLOWED), by MIME
# type and extension (some phones' pickers know only one of the two).
ACCEPT = "image/*,.pdf,.docx,.xlsx,.pptx,video/mp4,.mp4,audio/mpeg,.mp3,audio/mp4,.m4a"


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            files = [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        else:
            files = [super().clean(data, initial)] if data else []
        if len(files) > settings.LAPOR_MAX_ATTACHMENTS:
            raise forms.ValidationError(_("Paling banyak %(n)d lampiran.") % {"n": settings.LAPOR_MAX_ATTACHMENTS})
        return files


class SignInForm(forms.Form):
    login = forms.CharField(
        label=_("E-mail atau nomor telepon"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Kata sandi"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordForgotForm(forms.Form):
    login = forms.CharField(
        label=_("E-mail atau nomor telepon akun Anda"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


class PasswordResetForm(forms.Form):
    login = forms.CharField(
        label=_("E-mail atau nomor telepon akun Anda"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("Kode 6 angka"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("Kata sandi baru"),
        help_text=_("Minimal 8 karakter."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RegisterForm(forms.Form):
    full_name = forms.CharField(
        label=_("Nama lengkap"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Nomor telepon"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minimal 8 karakter."),
    )

    # The rules (contact required, phone format, uniqueness, password strength) live in
    # lapor.accounts.services.account_register; the view maps its errors onto these fields.


class SubmitForm(forms.Form):
    """The report form. Region is chosen step by step; the deepest chosen level is the region."""

    type = forms.ChoiceField(
        label=_("Jenis laporan"), choices=ReportType.choices, initial=ReportType.COMPLAINT, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Judul"), required=False, widget=forms.TextInput(attrs={"maxlength": 200}))
    body = forms.CharField(
        label=_("Isi laporan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 20000}),
        help_text=_("Ceritakan apa, di mana dan kapan. Jangan tulis data pribadi orang lain."),
    )
    topic = forms.ChoiceField(label=_("Kategori"), required=False)
    province = forms.ChoiceField(label=_("Provinsi"), required=False)
    regency = forms.ChoiceField(label=_("Kabupaten/Kota"), required=False)
    district = forms.ChoiceField(label=_("Kecamatan"), required=False)
    village = forms.ChoiceField(label=_("Kelurahan/Desa"), required=False)
    address = forms.CharField(
        label=_("Alamat atau patokan lokasi"), required=False, widget=forms.TextInput(attrs={"maxlength": 300})
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    incident_date = forms.DateField(
        label=_("Tanggal kejadian"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    agency_q = forms.CharField(
        label=_("Cari nama instansi (opsional)"),
        required=False,
        max_length=100,
        help_text=_("Ketik nama instansi, lalu pilih. Kosongkan bila tidak tahu: kami yang meneruskan."),
    )
    target_agency = forms.CharField(label=_("Pilih instansi"), required=False, widget=forms.Select)
    attachments = MultipleFileField(
        label=_("Lampiran (foto atau dokumen)"),
        required=False,  # the kinds and limits are stated once, above the field (submit.html #attach-limits)
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "aria-describedby": "attach-limits"}),
    )
    is_anonymous = forms.BooleanField(
        label=_("Anonim"), required=False, help_text=_("Nama Anda tidak ditampilkan kepada instansi maupun publik.")
    )
    is_confidential = forms.BooleanField(
        label=_("Rahasia"),
        required=False,
        help_text=_("Laporan tidak ditampilkan kepada publik; hanya Anda dan petugas yang melihatnya."),
    )
    guest_name = forms.CharField(
        label=_("Nama (opsional)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # checked by report_submit with every other field, so all problems show at once
    guest_email = forms.CharField(
        label=_("E-mail"), required=False, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    guest_phone = forms.CharField(
        label=_("Nomor telepon"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    # One key per rendered form: a retried or double-sent POST returns the first report.
    submit_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    REGION_LEVELS = ("province", "regency", "district", "village")

    def __init__(self, *args, guest: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        if not self.is_bound:
            self.initial.setdefault("submit_key", secrets.token_urlsafe(16))
        if not guest:
            for name in ("guest_name", "guest_email", "guest_phone"):
                del self.fields[name]
        empty = [("", _("— pilih —"))]
        self.fields["topic"].choices = empty + selectors.topic_choices()
        parent = None
        for level in self.REGION_LEVELS:
            choices = selectors.region_choices(parent) if (level == "province" or parent) else []
            self.fields[level].choices = empty + choices
            self.fields[level].widget.attrs.update({"data-region-level": level})
            value = self.data.get(level) if self.is_bound else None
            parent = value if value and value in {c for c, _n in choices} else None
        q = self.data.get("agency_q", "") if self.is_bound else ""
        chosen = self.data.get("target_agency", "") if self.is_bound else ""
        self.fields["target_agency"].widget.choices = [("", _("— tidak memilih —"))] + selectors.agency_choices(
            q, keep=chosen
        )

    def clean_target_agency(self):
        value = self.cleaned_data.get("target_agency") or ""
        if value and not value.isdigit():
            raise forms.ValidationError(_("Instansi tujuan tidak ditemukan."))
        return int(value) if value else None

    def region_code(self) -> str | None:
        code = None
        for level in self.REGION_LEVELS:
            value = self.cleaned_data.get(level)
            if not value:
                break
            code = value
        return code


FIELD_BY_KEY = {
    "attachments": "attachments",
    "topic_id": "topic",
    "region_code": "province",
    "target_agency_id": "target_agency",
    "latitude": "address",
    "type": "type",
    "incident_date": "incident_date",
    "guest_phone": "guest_phone",
    "guest_email": "guest_email",
}


def error_to_form(form: forms.Form, exc: DomainError) -> None:
    """Put a service's ValidationFailed next to its field (services name the field in
    ``detail["field"]`` with the API's key), every one of them when the service found several
    (``detail["errors"]``)."""
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    for error in detail.get("errors") or [{"field": detail.get("field"), "message": exc.message}]:
        field = error.get("field")
        name = FIELD_BY_KEY.get(field, field) if field else None
        form.add_error(name if name and name in form.fields else None, str(error["message"]))


TRACKING_ID_RE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}", re.ASCII)


class TrackForm(forms.Form):
    tracking_id = forms.CharField(
        label=_("Nomor pelacakan"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "ABCD-1234", "autocapitalize": "characters"}),
    )

    def clean_tracking_id(self) -> str:
        """Any text may arrive here (a backslash, control characters, another script's digits): what
        does not normalise to the 8 letters and digits of a tracking number is a form error, not a 500."""
        tid = tracking_id_normalize(self.cleaned_data["tracking_id"])
        if not TRACKING_ID_RE.fullmatch(tid):
            raise forms.ValidationError(
                _("Nomor pelacakan terdiri dari 8 huruf dan angka, misalnya ABCD-1234."), code="invalid"
            )
        return tid


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Pesan"), required=False, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 10000})
    )


class RatingForm(forms.Form):
    satisfied = forms.ChoiceField(
        label=_("Apakah Anda puas dengan tindak lanjutnya?"),
        widget=forms.RadioSelect,
        choices=[("yes", _("Puas")), ("no", _("Tidak puas — buka kembali laporan"))],
    )
    rating = forms.TypedChoiceField(
        label=_("Nilai (1 = buruk, 5 = sangat baik)"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(i, str(i)) for i in range(1, 6)],
    )
    comment = forms.CharField(
        label=_("Komentar"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text=_("Wajib diisi bila tidak puas: apa yang belum selesai?"),
    )


class ReasonForm(forms.Form):
    # Published: the reporter's page and the public page show this text (masked for the public).
    reason = forms.CharField(
        label=_("Alasan (dibaca pelapor dan publik)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Tampil di halaman pelapor dan halaman publik laporan. Jangan tulis data "
            "pribadi atau catatan internal di sini."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
    # Staff only: kept in the step's details (services.*(note=...)), never shown to the reporter or the public.
    note = forms.CharField(
        label=_("Catatan internal (hanya petugas)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )


class AgencyPickForm(ReasonForm):
    agency_q = forms.CharField(label=_("Cari instansi"), required=False, max_length=100)
    # A plain value: the options come from a search (server-side or /api/agencies), the view
    # looks the id up, so a choice found by the script is accepted too.
    agency = forms.CharField(label=_("Instansi"), required=False, widget=forms.Select)
    # set by a routing suggestion's own button (its rank): live top-1 / top-3 from real decisions
    tapped_rank = forms.IntegerField(required=False, min_value=1, max_value=10, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        q = self.data.get(self.add_prefix("agency_q"), "") if self.is_bound else ""
        chosen = self.data.get(self.add_prefix("agency"), "") if self.is_bound else ""
        self.fields["agency"].widget.choices = [("", _("— pilih —"))] + selectors.agency_choices(q, keep=chosen)


class UnitPickForm(ReasonForm):
    unit = forms.ChoiceField(label=_("Unit kerja"))

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("— pilih —"))] + selectors.unit_choices(agency)


class ArchiveForm(forms.Form):
    # No reason chosen in advance: an archive closes the report for good, its reason is read by the reporter.
    archive_reason = forms.ChoiceField(
        label=_("Alasan arsip"), choices=[("", _("— pilih alasan —")), *ArchiveReason.choices]
    )
    note = forms.CharField(
        label=_("Catatan (dibaca pelapor)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Tampil di halaman pelapor sebagai alasan arsip. Jangan tulis data pribadi atau catatan internal di sini."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
    duplicate_of = forms.CharField(
        label=_("Nomor pelacakan laporan asli (untuk duplikat)"), required=False, max_length=20
    )


class FollowUpForm(MessageForm):
    attachments = MultipleFileField(label=_("Lampiran (opsional)"), required=False)


class ReplyForm(MessageForm):
    """The reporter's reply on the track page, with files as on the submit form (the same limits,
    stated above the field: track.html #reply-attach-limits)."""

    attachments = MultipleFileField(
        label=_("Lampiran (opsional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "aria-describedby": "reply-attach-limits"}),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan melihat identitas"),
        max_length=500,
        widget=forms.TextInput(attrs={"maxlength": 500}),
        help_text=_("Setiap kali identitas dilihat, dicatat dalam riwayat audit."),
    )


class SettingsForm(forms.Form):
    language = forms.ChoiceField(label=_("Bahasa"), choices=settings.LANGUAGES)
    notify_by = forms.MultipleChoiceField(
        label=_("Kabari saya lewat"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("email", _("E-mail")), ("sms", _("SMS")), ("web", _("Notifikasi di situs"))],
    )
    daily_digest = forms.BooleanField(
        label=_("Ringkasan harian"),
        required=False,
        help_text=_("Untuk petugas: satu e-mail ringkasan sehari, bukan satu e-mail per laporan."),
    )


class AnswerTemplateForm(forms.Form):
    agency = forms.ChoiceField(label=_("Instansi"))
    title = forms.CharField(label=_("Judul templat"), max_length=120)
    body = forms.CharField(label=_("Isi templat"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(str(a.pk), a.name) for a in agencies]


class LinkResendForm(TrackForm):
    """A lost private link: the tracking number and the e-mail or phone given when filing."""

    contact = forms.CharField(
        label=_("E-mail atau nomor telepon yang Anda berikan saat melapor"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )


class AssistedForm(forms.Form):
    """A report entered by staff for a citizen at a counter, by phone, by letter or at a rumah
    aspirasi (lapor.intake.assisted: the citizen's consent is required and recorded)."""

    channel = forms.ChoiceField(
        label=_("Diterima lewat"),
        choices=[
            ("counter", _("Loket layanan")),
            ("call_centre", _("Call centre 112")),
            ("letter", _("Surat")),
            ("aspiration_house", _("Rumah aspirasi")),
        ],
        widget=forms.RadioSelect,
        initial="counter",
    )
    guest_name = forms.CharField(label=_("Nama warga"), max_length=150, required=False)
    guest_phone = forms.CharField(
        label=_("Nomor telepon warga"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    guest_email = forms.EmailField(label=_("E-mail warga"), required=False)
    type = forms.ChoiceField(label=_("Jenis laporan"), choices=ReportType.choices, initial=ReportType.COMPLAINT)
    title = forms.CharField(label=_("Judul"), max_length=200)
    body = forms.CharField(label=_("Isi laporan"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    topic = forms.ChoiceField(label=_("Kategori"), required=False)
    province = forms.ChoiceField(label=_("Provinsi"), required=False)
    address = forms.CharField(label=_("Alamat kejadian"), max_length=300, required=False)
    is_anonymous = forms.BooleanField(
        label=_("Anonim"), required=False, help_text=_("Identitas warga tidak diperlihatkan kepada instansi terlapor.")
    )
    is_confidential = forms.BooleanField(
        label=_("Rahasia"), required=False, help_text=_("Laporan tidak ditampilkan kepada publik.")
    )
    consent = forms.BooleanField(label=_("Warga setuju laporannya dicatat dan diteruskan atas namanya"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("— pilih —")), *selectors.topic_choices()]
        self.fields["province"].choices = [("", _("— pilih —")), *selectors.region_choices(None)]


class PartnerForm(forms.Form):
    """Sistem mitra (web/views/integrations.py); the rules themselves live in partners.services."""

    name = forms.CharField(label=_("Nama sistem mitra"), max_length=150)
    webhook_url = forms.CharField(
        label=_("Alamat webhook"),
        max_length=500,
        required=False,
        help_text=_("Ke alamat ini dikirim setiap perubahan status laporan mitra. Kosongkan jika tidak perlu."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "placeholder": "https://"}),
    )
    default_channel = forms.ChoiceField(label=_("Saluran laporan"))

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_channel"].choices = channels


class PeerForm(forms.Form):
    """Another LAPOR deployment (federasi); the rules live in partners.services."""

    name = forms.CharField(label=_("Nama sistem"), max_length=150)
    slug = forms.CharField(
        label=_("Kode sistem"),
        max_length=60,
        help_text=_(
            "Kode yang dipakai sistem itu untuk menyebut dirinya (tanyakan ke pengelolanya), mis. sumbar-prov."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    base_url = forms.CharField(
        label=_("Alamat web sistem itu"),
        max_length=300,
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "placeholder": "https://"}),
    )
    direction = forms.ChoiceField(label=_("Arah penerusan"), widget=forms.RadioSelect)
    agency = forms.ChoiceField(
        label=_("Instansi yang mewakili sistem itu"),
        required=False,
        help_text=_("Jika diisi, laporan yang diteruskan ke sana didisposisikan ke instansi ini di sini."),
    )
    secret = forms.CharField(
        label=_("Kunci bersama dari sistem itu"),
        required=False,
        max_length=200,
        help_text=_("Kosongkan agar kami membuat kunci baru untuk Anda berikan ke pengelola sistem itu."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, directions, agencies, with_secret: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = directions
        self.fields["agency"].choices = [("", _("— tidak ada —")), *agencies]
        if not with_secret:
            del self.fields["secret"]


class SecretForm(forms.Form):
    """A peer's new shared secret: typed in from the other side, or left empty for a new one."""

    secret = forms.CharField(
        label=_("Kunci bersama baru dari sistem itu"),
        required=False,
        max_length=200,
        help_text=_("Kosongkan agar kami membuat kunci baru."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
