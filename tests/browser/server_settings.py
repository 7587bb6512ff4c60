"""Settings of the gunicorn server the browser journeys run against: the
production settings, plus two things only a test server needs.

- The fast password hasher the test process writes its users' passwords
  with (tests/conftest.py), so those users can log in.
- Forgetting cached content types at each request: between journeys the
  test process empties the database, and Django recreates the content types
  and permissions with new ids, which a long-running server would otherwise
  keep using (and find no object permissions)."""

from collections.abc import Callable

from django.conf import global_settings
from django.http import HttpRequest, HttpResponse

from coprod.settings import *  # noqa: F403
from coprod.settings import MIDDLEWARE as _MIDDLEWARE

PASSWORD_HASHERS = [*global_settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]


def forget_cached_content_types(get_response: Callable[[HttpRequest], HttpResponse]):
    from django.contrib.contenttypes.models import ContentType

    def middleware(request: HttpRequest) -> HttpResponse:
        ContentType.objects.clear_cache()
        return get_response(request)

    return middleware


MIDDLEWARE = ["tests.browser.server_settings.forget_cached_content_types", *_MIDDLEWARE]
