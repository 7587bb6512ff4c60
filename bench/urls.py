"""URLs of the load benchmark's server: the app's own (`coprod.urls`) and the
two bare views it is compared with."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/bare-page/", views.bare_page, name="bench_bare_page"),
    path("bench/bare-query/", views.bare_query, name="bench_bare_query"),
    path("", include("coprod.urls")),
]
