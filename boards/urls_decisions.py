"""Filled in by the bodies and decisions pages."""

urlpatterns: list = []
