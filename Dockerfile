# syntax=docker/dockerfile:1
# Build stage: the locked runtime dependencies, hash-checked, in a virtualenv.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.lock

# Runtime stage: the code, static files collected at build time, a non-root user, gunicorn.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=roadmap_site.settings \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
# Numbered, so that Kubernetes can check runAsNonRoot (deploy/k8s: runAsUser/runAsGroup 10001).
RUN groupadd --gid 10001 roadmap && useradd --create-home --uid 10001 --gid 10001 roadmap
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=roadmap:roadmap . /app
# collectstatic reads the settings but needs no secret: a throwaway key for this one step,
# never kept in the image's environment.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput
USER roadmap
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "roadmap_site.wsgi:application"]
