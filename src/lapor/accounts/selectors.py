"""Who may see what: a user's roles and the agency subtrees they cover."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lapor.core.errors import PermissionDenied

from .models import ApiToken, Role, RoleAssignment, User

STAFF_ROLES = {Role.PLATFORM_ADMIN, Role.AGENCY_ADMIN, Role.LIAISON, Role.UNIT_STAFF, Role.OVERSEER}


@dataclass(frozen=True)
class Grant:
    role: str
    agency_id: int | None
    path: str | None  # None: the whole network

    def covers(self, agency_path: str | None) -> bool:
        if self.path is None:
            return True
        if not agency_path:
            return False
        return agency_path.startswith(self.path)


def user_grants(user: User | None) -> list[Grant]:
    """The user's role grants, loaded once per request object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_lapor_grants", None)
    if cached is None:
        # three columns, no model instances: every staff request reads these
        cached = [
            Grant(role=role, agency_id=agency_id, path=path if agency_id else None)
            for role, agency_id, path in RoleAssignment.objects.filter(user=user).values_list(
                "role", "agency_id", "agency__path"
            )
        ]
        user._lapor_grants = cached
    return cached


def user_scope_q(user: User | None, field: str) -> Q | None:
    """Rows whose agency path ``field`` lies inside one of the user's grants; None for a national
    grant (everything); matches nothing for a user without grants."""
    grants = user_grants(user)
    if any(g.path is None for g in grants):
        return None
    scope = Q(pk__in=[])
    for path in sorted({g.path for g in grants if g.path is not None}):  # none is, past the check above
        scope |= Q(**{f"{field}__startswith": path})
    return scope


def user_is_staff(user: User | None) -> bool:
    return bool(user_grants(user))


def user_is_platform_admin(user: User | None) -> bool:
    return any(g.role == Role.PLATFORM_ADMIN for g in user_grants(user))


def user_roles_for(user: User | None, agency_path: str | None) -> set[str]:
    """The roles the user holds over an agency (through any ancestor grant)."""
    return {g.role for g in user_grants(user) if g.covers(agency_path)}


def user_require_agency_admin(user: User | None, agency, *, message: str | None = None) -> None:
    """Raise PermissionDenied unless the user administers the agency (an agency admin over it, or a
    platform admin). The one check behind every agency-admin write (units, deadlines, roles, answer
    templates); ``message`` says what was refused."""
    if not user_roles_for(user, agency.path) & {Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN}:
        raise PermissionDenied(message or _("Hanya admin instansi ini yang dapat mengubahnya."))


def api_token_authenticate(raw: str) -> User | None:
    parts = raw.split("_", 2)
    # the prefix is ApiToken.issue's hex: anything else (a NUL above all: a DataError on PostgreSQL,
    # i.e. a 500 for an Open311 api_key) matches no token
    if len(parts) != 3 or parts[0] != "lpr" or not (parts[1].isascii() and parts[1].isalnum()) or len(parts[1]) > 12:
        return None
    # the user with the token's few columns alongside: one model instance, not the token's too
    user = (
        User.objects.filter(api_tokens__prefix=parts[1], api_tokens__is_active=True)
        .annotate(**{f"token_{name}": F(f"api_tokens__{name}") for name in _TOKEN_COLUMNS})
        .first()
    )
    if user is None:
        return None
    token = {name: user.__dict__.pop(f"token_{name}") for name in _TOKEN_COLUMNS}  # not left on request.user
    if not hmac.compare_digest(token["digest"], ApiToken.hash(raw)) or not user.is_active:
        return None
    now = timezone.now()
    if token["expires_at"] and token["expires_at"] < now:
        return None
    if token["last_used_at"] is None or (now - token["last_used_at"]).total_seconds() > 300:
        ApiToken.objects.filter(pk=token["id"]).update(last_used_at=now)
    return user


_TOKEN_COLUMNS = ("id", "digest", "expires_at", "last_used_at")
