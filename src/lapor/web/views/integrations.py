"""Partner systems and peer deployments, set up from a phone (issue 20). Platform operators only
(partners and peers serve the whole deployment; neither model belongs to an agency). Every write
is one call of lapor.partners.services; a new secret is kept in the session for one display on a
GET page after the POST (a reload neither rotates the key again nor shows it twice), and masked
everywhere after."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lapor.accounts.selectors import user_is_platform_admin
from lapor.agencies.models import Agency
from lapor.core.errors import DomainError
from lapor.notifications.failures import failure_detail, failure_reason
from lapor.partners import selectors
from lapor.partners.deliveries import delivery_event
from lapor.partners import services as setup
from lapor.partners.models import Partner, Peer
from lapor.reports import lifecycle as lc
from lapor.reports.models import Channel

from ..forms import PartnerForm, PeerForm, SecretForm, error_to_form


def _require_operator(request) -> None:
    if not user_is_platform_admin(request.user):
        raise DjangoPermissionDenied


def _private(response):
    response["Cache-Control"] = "private, no-store"  # secrets and addresses: never in a shared cache
    return response


def _channels() -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in setup.PARTNER_CHANNELS]


def _peer_form(data=None, *, initial=None, with_secret: bool) -> PeerForm:
    agencies = Agency.objects.filter(kind__in=setup.PEER_AGENCY_KINDS, is_active=True).order_by("path")
    return PeerForm(
        data,
        initial=initial,
        directions=Peer.Direction.choices,
        agencies=[(str(a.pk), a.name) for a in agencies],
        with_secret=with_secret,
    )


def _problems_add(form, problems: list[dict]) -> None:
    """A field the form refused stops the submit before the service: the service's problems with
    the other fields are shown now too, not one per submit."""
    for problem in problems:
        if problem["field"] in form.fields and problem["field"] not in form.errors:
            form.add_error(problem["field"], str(problem["message"]))


def _peer_problems_add(form: PeerForm, *, exclude: int | None = None) -> None:
    data = form.data
    problems = setup.peer_fields_problems(
        name=data.get("name", ""),
        slug=data.get("slug", ""),
        base_url=data.get("base_url", ""),
        direction=data.get("direction", ""),
        agency=None,  # the form checks the choice
        exclude=exclude,
    )
    _problems_add(form, problems)


def _partner_problems_add(form: PartnerForm, *, exclude: int | None = None) -> None:
    data = form.data
    problems = setup.partner_fields_problems(
        name=data.get("name", ""),
        webhook_url=data.get("webhook_url", ""),
        default_channel=data.get("default_channel", ""),
        exclude=exclude,
    )
    _problems_add(form, problems)


def _peer_agency(form: PeerForm) -> Agency | None:
    pk = form.cleaned_data.get("agency")
    return Agency.objects.filter(pk=pk).first() if pk else None


def _deliveries(owner) -> list[dict]:
    """Each webhook with what it was about and when, its state, the real time of its next attempt
    and, for a failure, the reason in plain words (the technical detail folded away)."""
    return [
        {
            "id": str(m.delivery_id),
            "status": m.get_status_display(),
            "failed": m.status in ("retry", "dead"),
            "event": delivery_event(m.__dict__),
            "attempts": m.attempts,
            "created_at": m.created_at,
            "sent_at": m.sent_at if m.status == "sent" else None,
            "next_attempt_at": m.next_attempt_at if m.status in ("pending", "retry") else None,
            "reason": failure_reason(m.last_error) if m.status != "sent" else "",
            "detail": failure_detail(m.last_error)[:500] if m.status != "sent" else "",
            "tracking_id": m.report.tracking_id if m.report_id and m.report else "",
        }
        for m in selectors.delivery_list(owner)
    ]


# --- Partner systems ------------------------------------------------------------------------------


@login_required(login_url="web:signin")
def partner_list(request):
    _require_operator(request)
    form = PartnerForm(request.POST or None, channels=_channels(), initial={"default_channel": Channel.PARTNER})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = setup.partner_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                error_to_form(form, exc)
                status = exc.status
            else:
                return _secrets_page(request, partner=made.partner, api_key=made.api_key, secret=made.webhook_secret)
        else:
            _partner_problems_add(form)
            status = 400
    partners = [{"p": p, "key": key} for p, key in selectors.partner_rows()]
    return _private(render(request, "web/staff/partners.html", {"form": form, "partners": partners}, status=status))


SESSION_SECRETS = "web_setup_secrets"  # {"kind", "id", "api_key", "secret"}: popped by the first display


def _secrets_page(request, *, partner=None, peer=None, api_key: str = "", secret: str = ""):
    """POST-redirect-GET: the secrets wait in the session for the one page that shows them."""
    kind, owner = ("partner", partner) if partner is not None else ("peer", peer)
    request.session[SESSION_SECRETS] = {"kind": kind, "id": owner.pk, "api_key": api_key, "secret": secret}
    if kind == "partner":
        return redirect("web:partner_secrets_shown", partner_id=owner.pk)
    return redirect("web:peer_secret_shown", peer_id=owner.pk)


def _secrets_shown(request, *, kind: str, owner):
    held = request.session.get(SESSION_SECRETS) or {}
    if held.get("kind") != kind or held.get("id") != owner.pk:
        messages.info(request, _("Kunci hanya ditampilkan sekali. Bila belum tersimpan, buat kunci baru di sini."))
        return _private(redirect(f"web:{kind}_detail", owner.pk))
    del request.session[SESSION_SECRETS]
    context = {kind: owner, "api_key": held.get("api_key", ""), "secret": held.get("secret", "")}
    if kind == "partner":
        context["key_shown_as"] = selectors.partner_api_key_prefix(owner) if held.get("api_key") else ""
    context["secret_shown_as"] = setup.secret_masked(held.get("secret", ""))
    return _private(render(request, "web/staff/setup_secret.html", context))


@login_required(login_url="web:signin")
def partner_secrets_shown(request, partner_id: int):
    _require_operator(request)
    return _secrets_shown(request, kind="partner", owner=setup.partner_get(actor=request.user, partner_id=partner_id))


@login_required(login_url="web:signin")
def peer_secret_shown(request, peer_id: int):
    _require_operator(request)
    return _secrets_shown(request, kind="peer", owner=setup.peer_by_id(actor=request.user, peer_id=peer_id))


@login_required(login_url="web:signin")
def partner_detail(request, partner_id: int):
    _require_operator(request)
    partner = setup.partner_get(actor=request.user, partner_id=partner_id)
    initial = {"name": partner.name, "webhook_url": partner.webhook_url, "default_channel": partner.default_channel}
    form = PartnerForm(request.POST or None, channels=_channels(), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                setup.partner_update(actor=request.user, partner=partner, **form.cleaned_data)
            except DomainError as exc:
                error_to_form(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Perubahan disimpan."))
                return redirect("web:partner_detail", partner_id=partner.pk)
        else:
            _partner_problems_add(form, exclude=partner.pk)
            status = 400
    context = {
        "partner": partner,
        "form": form,
        "key": selectors.partner_api_key_prefix(partner),
        "secret": setup.secret_masked(partner.webhook_secret),
        "deliveries": _deliveries(partner),
    }
    return _private(render(request, "web/staff/partner.html", context, status=status))


@require_POST
@login_required(login_url="web:signin")
def partner_key(request, partner_id: int):
    _require_operator(request)
    partner = setup.partner_get(actor=request.user, partner_id=partner_id)
    made = setup.partner_api_key_rotate(actor=request.user, partner=partner)
    return _secrets_page(request, partner=partner, api_key=made.api_key)


@require_POST
@login_required(login_url="web:signin")
def partner_secret(request, partner_id: int):
    _require_operator(request)
    partner = setup.partner_get(actor=request.user, partner_id=partner_id)
    made = setup.partner_webhook_secret_rotate(actor=request.user, partner=partner)
    return _secrets_page(request, partner=partner, secret=made.webhook_secret)


@require_POST
@login_required(login_url="web:signin")
def partner_active(request, partner_id: int):
    _require_operator(request)
    partner = setup.partner_get(actor=request.user, partner_id=partner_id)
    on = request.POST.get("is_active") == "1"
    setup.partner_active_set(actor=request.user, partner=partner, is_active=on)
    messages.success(request, _("Sistem mitra diaktifkan.") if on else _("Sistem mitra dinonaktifkan."))
    return redirect("web:partner_detail", partner_id=partner.pk)


@require_POST
@login_required(login_url="web:signin")
def partner_retry(request, partner_id: int):
    _require_operator(request)
    partner = setup.partner_get(actor=request.user, partner_id=partner_id)
    _retry(request, partner)
    return redirect("web:partner_detail", partner_id=partner.pk)


def _retry(request, owner: Partner | Peer) -> None:
    try:
        setup.delivery_retry(actor=request.user, owner=owner, delivery_id=request.POST.get("delivery_id", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Pengiriman dijadwalkan ulang."))


# --- Peer deployments -----------------------------------------------------------------------------


@login_required(login_url="web:signin")
def peer_list(request):
    _require_operator(request)
    form = _peer_form(request.POST or None, initial={"direction": Peer.Direction.BOTH}, with_secret=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                peer, secret = setup.peer_create(
                    actor=request.user,
                    name=data["name"],
                    slug=data["slug"],
                    base_url=data["base_url"],
                    direction=data["direction"],
                    agency=_peer_agency(form),
                    secret=data.get("secret", ""),
                )
            except DomainError as exc:
                error_to_form(form, exc)
                status = exc.status
            else:
                return _secrets_page(request, peer=peer, secret=secret)
        else:
            _peer_problems_add(form)
            status = 400
    peers = list(selectors.peer_list()[: selectors.LIST_SHOWN])
    return _private(render(request, "web/staff/peers.html", {"form": form, "peers": peers}, status=status))


def _link_rows(peer: Peer) -> list[dict]:
    rows = []
    for link in selectors.peer_links(peer):
        remote = lc.State(link.remote_state).label if link.remote_state in lc.State.values else ""
        rows.append(
            {
                "tracking_id": link.report.tracking_id,
                "outbound": link.direction == link.Direction.OUTBOUND,
                "direction": link.get_direction_display(),
                "state": link.report.get_state_display(),
                "remote_id": link.remote_tracking_id,
                "remote_state": remote,
                "remote_updated_at": link.remote_updated_at,
                "created_at": link.created_at,
            }
        )
    return rows


@login_required(login_url="web:signin")
def peer_detail(request, peer_id: int):
    _require_operator(request)
    peer = setup.peer_by_id(actor=request.user, peer_id=peer_id)
    initial = {
        "name": peer.name,
        "slug": peer.slug,
        "base_url": peer.base_url,
        "direction": peer.direction,
        "agency": str(peer.agency_id or ""),
    }
    form = _peer_form(request.POST or None, initial=initial, with_secret=False)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                setup.peer_update(
                    actor=request.user,
                    peer=peer,
                    name=data["name"],
                    slug=data["slug"],
                    base_url=data["base_url"],
                    direction=data["direction"],
                    agency=_peer_agency(form),
                )
            except DomainError as exc:
                error_to_form(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Perubahan disimpan."))
                return redirect("web:peer_detail", peer_id=peer.pk)
        else:
            _peer_problems_add(form, exclude=peer.pk)
            status = 400
    context = {
        "peer": peer,
        "form": form,
        "secret_form": SecretForm(),
        "secret": setup.secret_masked(peer.secret),
        "links": _link_rows(peer),
        "deliveries": _deliveries(peer),
    }
    return _private(render(request, "web/staff/peer.html", context, status=status))


@require_POST
@login_required(login_url="web:signin")
def peer_secret(request, peer_id: int):
    _require_operator(request)
    peer = setup.peer_by_id(actor=request.user, peer_id=peer_id)
    form = SecretForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kunci bersama harus 24 sampai 200 karakter."))
        return redirect("web:peer_detail", peer_id=peer.pk)
    try:
        peer, secret = setup.peer_secret_rotate(actor=request.user, peer=peer, secret=form.cleaned_data["secret"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:peer_detail", peer_id=peer.pk)
    return _secrets_page(request, peer=peer, secret=secret)


@require_POST
@login_required(login_url="web:signin")
def peer_active(request, peer_id: int):
    _require_operator(request)
    peer = setup.peer_by_id(actor=request.user, peer_id=peer_id)
    on = request.POST.get("is_active") == "1"
    setup.peer_active_set(actor=request.user, peer=peer, is_active=on)
    messages.success(request, _("Sistem ini diaktifkan.") if on else _("Sistem ini dinonaktifkan."))
    return redirect("web:peer_detail", peer_id=peer.pk)


@require_POST
@login_required(login_url="web:signin")
def peer_retry(request, peer_id: int):
    _require_operator(request)
    peer = setup.peer_by_id(actor=request.user, peer_id=peer_id)
    _retry(request, peer)
    return redirect("web:peer_detail", peer_id=peer.pk)
