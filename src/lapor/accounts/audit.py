"""The audit log of privileged actions: who did what, to what, from where.

Report changes are already audited as ReportEvents. Everything else that grants or uses power is
written here: role grants and revocations, API tokens issued and revoked, routing rules, triage flag
resolutions, staff sign-ins and failed logins. Model signals catch every path (API, Django admin,
shell); AuditContextMiddleware tells them which request — and so which person and address — is
behind the change.
"""

from __future__ import annotations

import contextvars
import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save

from lapor.agencies.models import RoutingRule
from lapor.core.ratelimit import client_ip

from .models import ApiToken, AuditLog, RoleAssignment, User
from .selectors import user_is_staff

log = logging.getLogger(__name__)
_request: contextvars.ContextVar = contextvars.ContextVar("lapor_audit_request", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _request_actor(request) -> User | None:
    for attr in ("auth", "user"):  # API token auth sets request.auth; sessions set request.user
        user = getattr(request, attr, None) if request is not None else None
        if isinstance(user, User) and user.is_authenticated:
            return user
    return None


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    target=None,
    target_type: str = "",
    target_id: str = "",
    detail: dict | None = None,
    request=None,
) -> AuditLog:
    """Append one entry. The actor and address default to the current request's."""
    request = request if request is not None else _request.get()
    actor = actor if actor is not None else _request_actor(request)
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or str(target.pk)
    ip = client_ip(request) if request is not None else None
    return AuditLog.objects.create(
        action=action,
        actor=actor,
        actor_label=str(actor)[:200] if actor else "",
        target_type=target_type,
        target_id=str(target_id)[:64],
        ip=ip if ip and ip != "unknown" else None,
        detail=detail or {},
    )


def _on_role_saved(sender, instance: RoleAssignment, created: bool, raw=False, **kwargs):
    if raw:
        return
    audit_record(
        action="role_grant" if created else "role_change",
        target=instance.user,
        detail={"role": instance.role, "agency_id": instance.agency_id},
    )


def _on_role_deleted(sender, instance: RoleAssignment, **kwargs):
    audit_record(
        action="role_revoke",
        target_type="user",
        target_id=str(instance.user_id),
        detail={"role": instance.role, "agency_id": instance.agency_id},
    )


def _on_token_saved(sender, instance: ApiToken, created: bool, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and set(update_fields) <= {"last_used_at"}):
        return
    action = "token_issue" if created else ("token_change" if instance.is_active else "token_revoke")
    audit_record(
        action=action,
        target=instance,
        detail={"user_id": instance.user_id, "name": instance.name, "prefix": instance.prefix},
    )


def _on_token_deleted(sender, instance: ApiToken, **kwargs):
    audit_record(
        action="token_revoke", target=instance, detail={"user_id": instance.user_id, "prefix": instance.prefix}
    )


def _on_rule_saved(sender, instance, created: bool, raw=False, **kwargs):
    if raw:
        return
    audit_record(
        action="routing_rule_save",
        target=instance,
        detail={
            "topic_id": instance.topic_id,
            "region": instance.region_id,
            "agency_id": instance.agency_id,
            "is_active": instance.is_active,
            "created": created,
        },
    )


def _on_rule_deleted(sender, instance, **kwargs):
    audit_record(
        action="routing_rule_delete",
        target=instance,
        detail={"topic_id": instance.topic_id, "region": instance.region_id, "agency_id": instance.agency_id},
    )


def _on_logged_in(sender, request, user, **kwargs):
    if user_is_staff(user):
        audit_record(action="staff_signin", actor=user, target=user, request=request)


def _on_login_failed(sender, credentials, request=None, **kwargs):
    # The login the person typed is not stored (it may be someone's phone number typed by mistake).
    audit_record(
        action="login_failed",
        actor=None,
        request=request,
        detail={"via": "api" if request is not None and request.path.startswith("/api/") else "web"},
    )


def connect() -> None:
    post_save.connect(_on_role_saved, sender=RoleAssignment, dispatch_uid="audit_role_saved")
    post_delete.connect(_on_role_deleted, sender=RoleAssignment, dispatch_uid="audit_role_deleted")
    post_save.connect(_on_token_saved, sender=ApiToken, dispatch_uid="audit_token_saved")
    post_delete.connect(_on_token_deleted, sender=ApiToken, dispatch_uid="audit_token_deleted")
    post_save.connect(_on_rule_saved, sender=RoutingRule, dispatch_uid="audit_rule_saved")
    post_delete.connect(_on_rule_deleted, sender=RoutingRule, dispatch_uid="audit_rule_deleted")
    user_logged_in.connect(_on_logged_in, dispatch_uid="audit_logged_in")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
