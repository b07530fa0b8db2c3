# syntax=docker/dockerfile:1
# Build stage: install the locked runtime dependencies into a virtualenv.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.lock

# Runtime stage: the code, collected static files, a non-root user, gunicorn.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=roadmap_site.settings
RUN useradd --create-home --uid 10001 roadmap
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=roadmap:roadmap . /app
# collectstatic needs settings but no secrets: a throwaway key, used only for this step.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput
USER roadmap
EXPOSE 8000
CMD ["gunicorn", "roadmap_site.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
