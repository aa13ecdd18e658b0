# Khối Portal production image: gunicorn serving khoi_portal.wsgi on port 8000.
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint's native libraries, the Times New Roman-compatible fonts (Tinos in fonts-croscore)
# and poppler-utils (pdftotext/pdftoppm) for the generated documents. Debian package versions
# are not pinned: bookworm's stable archive only receives security fixes for them.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-croscore poppler-utils \
    && rm -rf /var/lib/apt/lists/*

# uv from PyPI, then the locked runtime dependencies (no dev group) into /opt/venv.
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Static files are collected (hashed and compressed by WhiteNoise) at build time. The key
# below exists only so that settings load with DEBUG off; it is never used at run time.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-7f3c9a1e5b2d8c4f6a0e \
    python manage.py collectstatic --noinput

# The app user owns only its home (fontconfig's cache for WeasyPrint) and the media directory.
RUN groupadd --system --gid 10001 khoi \
    && useradd --system --uid 10001 --gid khoi --create-home --home-dir /home/khoi khoi \
    && mkdir -p /app/media \
    && chown khoi:khoi /app/media
USER 10001:10001

ENV DEBUG=0 \
    MEDIA_ROOT=/app/media
EXPOSE 8000
CMD ["gunicorn", "khoi_portal.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]
