"""The agency network over the API: agencies, regions, topics, routing rules."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Status, Router, Schema
from pydantic import Field

from lapor.api.auth import STAFF_AUTH, request_user
from lapor.core.errors import NotFound, PermissionDenied
from lapor.core.hooks import hook

from . import selectors
from .models import Agency, Region, RoutingRule, Topic

router = Router(tags=["agencies"])


class AgencyOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    region_code: str | None = Field(None, alias="region_id")
    depth: int
    is_active: bool
    joined_on: str | None = None
    label: str = Field(
        "",
        description="the name as a picker shows it: short name and the government it belongs to (search results only)",
    )

    @staticmethod
    def resolve_joined_on(obj):
        return obj.joined_on.isoformat() if obj.joined_on else None


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None = Field(None, alias="parent_id")


class TopicOut(Schema):
    id: int
    name: str
    name_en: str
    slug: str
    parent_id: int | None
    depth: int


class RoutingRuleIn(Schema):
    topic_id: int
    region_code: str | None = None
    agency_id: int


class RoutingRuleOut(Schema):
    id: int
    topic_id: int
    region_code: str | None = Field(None, alias="region_id")
    agency_id: int
    is_active: bool


@router.get("/agencies", response=list[AgencyOut], summary="Search the agency tree (q, parent_id, kind)")
def agency_list(request, q: str = "", parent_id: int | None = None, kind: str | None = None, limit: int = 50):
    limit = max(1, min(limit, 200))
    if parent_id is None:  # the kind filter goes before the selector's slice
        found = list(selectors.agency_search(q=q[:100], limit=limit, kind=kind))
        labels = selectors.agency_labels(found)
        for agency in found:
            agency.label = labels[agency.pk]
        return found
    qs = Agency.objects.filter(parent_id=parent_id, is_active=True).order_by("name")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs[:limit])


@router.get("/agencies/{agency_id}", response=AgencyOut)
def agency_detail(request, agency_id: int):
    return get_object_or_404(Agency, pk=agency_id)


@router.get("/agencies/{agency_id}/subtree", response=list[AgencyOut], summary="Everything under an agency, one query")
def agency_subtree(request, agency_id: int, limit: int = 500):
    agency = get_object_or_404(Agency, pk=agency_id)
    return list(selectors.agency_subtree(agency)[: max(1, min(limit, 5000))])


@router.get("/regions", response=list[RegionOut], summary="Regions by parent code (none: the provinces)")
def region_list(request, parent: str | None = None, q: str = ""):
    if q:
        return list(Region.objects.filter(name__icontains=q[:50]).order_by("level", "name")[:50])
    return list(selectors.region_children(parent_code=parent or None))


@router.get("/topics", response=list[TopicOut])
def topic_list(request):
    return list(Topic.objects.filter(is_active=True))


@router.get("/routing-rules", response=list[RoutingRuleOut], auth=STAFF_AUTH)
def routing_rule_list(request):
    return list(RoutingRule.objects.all()[:5000])


@router.post("/routing-rules", response={201: RoutingRuleOut}, auth=STAFF_AUTH, summary="Platform admins only")
def routing_rule_create(request, payload: RoutingRuleIn):
    if not hook("platform_admin")(request_user(request)):  # accounts knows the roles
        raise PermissionDenied(_("Hanya Admin Nasional yang dapat mengubah aturan disposisi."))
    topic = Topic.objects.filter(pk=payload.topic_id).first()
    agency = Agency.objects.filter(pk=payload.agency_id).first()
    region = Region.objects.filter(pk=payload.region_code).first() if payload.region_code else None
    if topic is None or agency is None or (payload.region_code and region is None):
        raise NotFound(_("Kategori, wilayah atau instansi tidak ditemukan."), code="unknown_reference")
    rule, _created = RoutingRule.objects.update_or_create(
        topic=topic, region=region, defaults={"agency": agency, "is_active": True}
    )
    return Status(201, rule)
