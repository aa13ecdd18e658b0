"""The portal's URLs plus the benchmarks' two reference pages (never mounted in production).

- ``/bench/bare/``: a bare Django view, a tiny HttpResponse through the full middleware stack;
- ``/bench/blank/``: the portal's content-free page, the base layout (menu, user, language
  form, CSP, session, messages) for the signed-in user, with an empty content block.
"""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/bare/", views.bare, name="bench_bare"),
    path("bench/blank/", views.blank, name="bench_blank"),
    path("", include("khoi_portal.urls")),
]
