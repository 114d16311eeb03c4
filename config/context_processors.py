from typing import Any

from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, Any]:
    """What every page's layout needs: the service names and the feedback link."""
    return {
        "service_name": settings.SERVICE_NAME,
        "staff_service_name": settings.STAFF_SERVICE_NAME,
        "feedback_url": settings.FEEDBACK_URL,
    }
