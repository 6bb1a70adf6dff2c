"""The submission's database work with nothing else: a floor for the submission's cost.

``POST /bench/floor`` takes the same JSON body as ``POST /api/reports`` and does, in hand-written SQL
and one transaction, what a submission writes: the flood check's read, the report, its assignment,
its two events and its fan-out outbox row; then one message to the broker (as the outbox's hand-over
to Celery does). No validation, no routing, no deadline arithmetic, no ORM, no Ninja. Whatever the
real submission costs above this endpoint is Python; what this endpoint costs above ``/bench/ping``
is the database work no implementation of the issue's submission can skip (its savepoint aside).
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lapor.reports.models import tracking_id_new

_broker = None
_agency_id = None


def _broker_client():
    global _broker
    if _broker is None and settings.CELERY_BROKER_URL.startswith("redis"):
        _broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return _broker


def _agency(cursor) -> int:
    """The agency the real submission routes the bench's reports to (the newest report's)."""
    global _agency_id
    if _agency_id is None:
        cursor.execute("SELECT agency_id FROM reports_report WHERE agency_id IS NOT NULL ORDER BY id DESC LIMIT 1")
        _agency_id = cursor.fetchone()[0]
    return _agency_id


def _hand_over(message_id: int, tracking: str) -> JsonResponse:
    """One message to the broker after the commit, as the outbox hands a row to Celery (~1 KB)."""
    broker = _broker_client()
    if broker is not None:
        pipe = broker.pipeline(transaction=False)
        pipe.lpush("bench_floor", json.dumps({"task": "outbox_deliver", "id": message_id, "pad": "x" * 900}))
        pipe.ltrim("bench_floor", 0, 999)
        pipe.execute()
    return JsonResponse({"tracking_id": tracking}, status=201)


@csrf_exempt
@require_POST
def floor(request):
    sub = json.loads(request.body)
    now = timezone.now()
    tracking = tracking_id_new()
    with transaction.atomic(), connection.cursor() as cursor:
        agency = _agency(cursor)
        cursor.execute(
            "SELECT submitted_at, body FROM reports_report WHERE guest_phone = %s AND submitted_at >= %s "
            "ORDER BY 1 DESC LIMIT 50",
            [sub["guest_phone"], now - timedelta(days=1)],
        )
        cursor.fetchall()
        cursor.execute(
            "INSERT INTO reports_report (tracking_id, guest_secret_hash, type, title, body, address, channel,"
            " is_anonymous, is_confidential, guest_name, guest_email, guest_phone, state, due_at, paused_state,"
            " is_overdue, escalation_level, bounce_count, reopen_count, archive_reason, rating_comment,"
            " auto_routed, submitted_at, updated_at, agency_id, region_id, topic_id)"
            " VALUES (%s, %s, 'complaint', %s, %s, '', %s, false, false, %s, '', %s, 'submitted', %s, '',"
            " false, 0, 0, 0, '', '', false, %s, %s, %s, %s, %s) RETURNING id",
            [
                tracking,
                secrets.token_hex(32),
                sub["title"],
                sub["body"],
                sub["channel"],
                sub["guest_name"],
                sub["guest_phone"][:16],
                now + timedelta(days=3),
                now,
                now,
                agency,
                sub["region_code"],
                sub["topic_id"],
            ],
        )
        report_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO reports_reportassignment (report_id, agency_id, agency_path, assigned_at,"
            " report_submitted_at, moved_out) VALUES (%s, %s, (SELECT path FROM agencies_agency WHERE id = %s),"
            " %s, %s, false)",
            [report_id, agency, agency, now, now],
        )
        cursor.execute(
            "INSERT INTO reports_reportevent (report_id, kind, action, actor_role, from_state, to_state, agency_id,"
            " reason, data, is_public, created_at) VALUES"
            " (%s, 'submitted', '', 'reporter', '', 'submitted', %s, '', '{}', true, %s),"
            " (%s, 'transition', 'route', 'system', 'submitted', 'verifying', %s, '', '{}', true, %s) RETURNING id",
            [report_id, agency, now, report_id, agency, now],
        )
        event_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO notifications_outboxmessage (delivery_id, channel, recipient, payload, secret, dedupe_key,"
            " report_id, status, attempts, next_attempt_at, last_error, created_at)"
            " VALUES (%s, 'fanout', 'events', %s, '', %s, %s, 'pending', 0, %s, '', %s) RETURNING id",
            [uuid.uuid4(), json.dumps({"event_ids": event_ids}), f"fanout:ev{event_ids[0]}", report_id, now, now],
        )
        message_id = cursor.fetchone()[0]
    return _hand_over(message_id, tracking)


@csrf_exempt
@require_POST
def floor_one(request):
    """The same writes as ``floor`` in ONE statement (data-modifying CTEs, autocommit): the least
    any implementation can send the database for a submission."""
    sub = json.loads(request.body)
    now = timezone.now()
    tracking = tracking_id_new()
    with connection.cursor() as cursor:
        agency = _agency(cursor)
        cursor.execute(
            "WITH flood AS (SELECT count(*) AS n FROM (SELECT 1 FROM reports_report WHERE guest_phone = %(phone)s"
            "   AND submitted_at >= %(since)s LIMIT 50) f),"
            " r AS (INSERT INTO reports_report (tracking_id, guest_secret_hash, type, title, body, address, channel,"
            "   is_anonymous, is_confidential, guest_name, guest_email, guest_phone, state, due_at, paused_state,"
            "   is_overdue, escalation_level, bounce_count, reopen_count, archive_reason, rating_comment,"
            "   auto_routed, submitted_at, updated_at, agency_id, region_id, topic_id)"
            "   VALUES (%(tracking)s, %(secret)s, 'complaint', %(title)s, %(body)s, '', %(channel)s, false, false,"
            "   %(name)s, '', %(phone)s, 'submitted', %(due)s, '', false, 0, 0, 0, '', '', false, %(now)s, %(now)s,"
            "   %(agency)s, %(region)s, %(topic)s) RETURNING id),"
            " a AS (INSERT INTO reports_reportassignment (report_id, agency_id, agency_path, assigned_at,"
            "   report_submitted_at, moved_out) SELECT r.id, %(agency)s,"
            "   (SELECT path FROM agencies_agency WHERE id = %(agency)s), %(now)s, %(now)s, false FROM r),"
            " e AS (INSERT INTO reports_reportevent (report_id, kind, action, actor_role, from_state, to_state,"
            "   agency_id, reason, data, is_public, created_at) SELECT r.id, v.kind, v.action, v.role, v.f, v.t,"
            "   %(agency)s, '', '{}', true, %(now)s FROM r, (VALUES ('submitted', '', 'reporter', '', 'submitted'),"
            "   ('transition', 'route', 'system', 'submitted', 'verifying')) v(kind, action, role, f, t) RETURNING id),"
            " o AS (INSERT INTO notifications_outboxmessage (delivery_id, channel, recipient, payload, secret,"
            "   dedupe_key, report_id, status, attempts, next_attempt_at, last_error, created_at)"
            "   SELECT %(delivery)s, 'fanout', 'events', jsonb_build_object('event_ids', (SELECT jsonb_agg(id) FROM e)),"
            "   '', 'fanout:ev' || (SELECT min(id) FROM e), r.id, 'pending', 0, %(now)s, '', %(now)s FROM r RETURNING id)"
            " SELECT (SELECT id FROM o), (SELECT n FROM flood)",
            {
                "phone": sub["guest_phone"][:16],
                "since": now - timedelta(days=1),
                "tracking": tracking,
                "secret": secrets.token_hex(32),
                "title": sub["title"],
                "body": sub["body"],
                "channel": sub["channel"],
                "name": sub["guest_name"],
                "due": now + timedelta(days=3),
                "now": now,
                "agency": agency,
                "region": sub["region_code"],
                "topic": sub["topic_id"],
                "delivery": uuid.uuid4(),
            },
        )
        message_id = cursor.fetchone()[0]
    return _hand_over(message_id, tracking)
