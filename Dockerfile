# coprod application image: used by the web, worker, beat and migrate services
# of docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# WeasyPrint (the PDF reports) needs Pango and a font at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so editing the code does not reinstall them.
# pyproject.toml declares no importable packages (`packages = []`): this
# installs the dependencies only; the code runs from /app.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected at build time into /app/staticfiles and served by
# WhiteNoise. Settings refuse to start without a SECRET_KEY: this dummy key
# exists only for this build step and never reaches a running container.
RUN DEBUG=false SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --no-input \
    && useradd --system --uid 1000 --home-dir /app coprod \
    && chown -R coprod:coprod /app

USER coprod
EXPOSE 8000

CMD ["gunicorn", "coprod.wsgi:application", "--bind=0.0.0.0:8000", "--workers=3", "--access-logfile=-"]
