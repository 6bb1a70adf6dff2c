from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Ping


@csrf_exempt
@require_POST
def ping(request):
    """The baseline: the same middleware stack as the app, one INSERT, a small JSON answer."""
    row = Ping.objects.create(note=request.headers.get("X-Note", "")[:100])
    return JsonResponse({"id": row.pk}, status=201)
