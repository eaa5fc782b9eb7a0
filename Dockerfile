# syntax=docker/dockerfile:1
# The portal's image. The web (gunicorn), worker and beat services in docker-compose.yml all
# run from it. Not built on the development machines, which have no Docker engine:
# see docs/deployment.md.

# ---- build: fetch the NHS.UK frontend, install the Python packages, collect static files
FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Node.js and npm only fetch the pinned nhsuk-frontend; they stay in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY . .
# Installs the pinned dependencies from pyproject.toml. The code itself runs from /app
# (PYTHONPATH below), where the templates and static files sit beside it.
RUN pip install .

# Production settings need these to load. Nothing connects to them at build time, and
# none of them is kept in the image.
RUN SECRET_KEY=build-time-only-not-a-secret-0123456789-0123456789-0123456789 \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    CELERY_BROKER_URL=redis://localhost:6379/0 \
    DJANGO_SETTINGS_MODULE=commissioning.settings.production \
    python manage.py collectstatic --no-input \
    && rm -rf node_modules

# ---- runtime: no compilers, no Node.js, a user without privileges
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=commissioning.settings.production

# WeasyPrint draws PDFs (visit reports, meeting packs) with Pango; Liberation is the
# Arial-compatible font the print templates ask for.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal portal

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# Owned by root and read-only to the portal user; only media/ is writable.
COPY --from=build /app /app
RUN mkdir -p /app/media && chown portal:portal /app/media

USER portal
EXPOSE 8000
CMD ["gunicorn", "commissioning.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
