from django.conf import settings


def portal(request):
    return {"PORTAL_NAME": "Khối Portal", "DEBUG": settings.DEBUG}
