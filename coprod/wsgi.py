import os

from django.core.wsgi import get_wsgi_application

from coprod.runtime import settle_heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod.settings")
application = get_wsgi_application()
settle_heap()
