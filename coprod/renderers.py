"""How API responses are rendered for a browser."""

from __future__ import annotations

from typing import Any

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API (the API opened in a browser) without the forms it
    would build by serialising the object on the page: our serializers read
    what the view loaded for them in one query (compositions, tallies, the
    people behind votes) from their context, which DRF's form builder does
    not pass. The raw JSON form stays, empty, for trying requests by hand."""

    def get_rendered_html_form(self, data: Any, view: Any, method: str, request: Any) -> None:
        return None

    def get_filter_form(self, data: Any, view: Any, request: Any) -> None:
        return None

    def get_raw_data_form(self, data: Any, view: Any, method: str, request: Any) -> Any:
        return super().get_raw_data_form(None, view, method, request)
