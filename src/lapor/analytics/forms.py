"""Forms of the analytics pages: they parse input only; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lapor.accounts.selectors import user_grants
from lapor.agencies.models import Agency, Topic

from .models import ActionPlan
from .services import EDITOR_ROLES


def plan_agencies(user) -> list[tuple[str, str]]:
    """The agencies whose plans this user may write: each granted agency (admin) and the level below
    it; the platform admin picks among the ministries, agencies and governments."""
    paths = [g.path for g in user_grants(user) if g.role in EDITOR_ROLES]
    if not paths:
        return []
    qs = Agency.objects.filter(is_active=True).exclude(kind__in=[Agency.Kind.PLATFORM, Agency.Kind.UNIT])
    if None in paths:
        qs = qs.filter(depth__lte=1)
    else:
        granted = list(Agency.objects.filter(path__in=paths).values_list("path", "depth"))
        q = None
        for path, depth in granted:
            part = Q(path__startswith=path, depth__lte=depth + 1)
            q = part if q is None else q | part
        qs = qs.filter(q)
    return [(str(pk), name) for pk, name in qs.order_by("path").values_list("pk", "name")[:1000]]


class PlanForm(forms.Form):
    agency = forms.ChoiceField(label=_("Instansi"))
    topic = forms.ChoiceField(label=_("Topik yang ditangani"), required=False)
    title = forms.CharField(label=_("Rencana"), max_length=200)
    owner = forms.CharField(label=_("Penanggung jawab"), max_length=150)
    due_date = forms.DateField(label=_("Tenggat"), widget=forms.DateInput(attrs={"type": "date"}))
    progress = forms.IntegerField(label=_("Kemajuan (persen)"), min_value=0, max_value=100, initial=0)
    status = forms.ChoiceField(label=_("Status"), choices=ActionPlan.Status.choices)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("— pilih —")), *plan_agencies(user)]
        self.fields["topic"].choices = [
            ("", _("— tanpa topik —")),
            *(
                (str(pk), "— " * depth + name)
                for pk, name, depth in Topic.objects.filter(is_active=True)
                .order_by("path")
                .values_list("pk", "name", "depth")
            ),
        ]


class PlanProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Kemajuan (persen)"), min_value=0, max_value=100)
    status = forms.ChoiceField(label=_("Status"), choices=ActionPlan.Status.choices)
