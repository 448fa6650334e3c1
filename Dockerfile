# The production image: runtime dependencies only (requirements.lock; the tests' and linters'
# pins are in requirements-dev.lock, which this image never installs), run as a non-root user.
# docker-compose.yml runs it as web (the CMD below), worker, beat and the one-shot migrate.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    PORT=8000

RUN groupadd --system --gid 10001 partnerskap \
 && useradd --system --uid 10001 --gid partnerskap --home-dir /app --shell /usr/sbin/nologin partnerskap

WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock

# .dockerignore keeps out .venv, var/ (secret key, SQLite databases, mail), .env, .git and tests.
COPY . .
# Translations and static files are built into the image; a throw-away key only for this step.
RUN python scripts/compile_messages.py \
 && DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0 \
 && chown -R partnerskap:partnerskap "$VAR_DIR"

USER partnerskap:partnerskap
EXPOSE 8000

# Plain HTTP to /healthz (exempt from the https redirect), with Python: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]

# As bench/registration.py measures it: 4 workers x 4 threads (gthread).
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", \
     "--worker-class", "gthread", "--threads", "4", "--access-logfile", "-"]
