# The ticketshop image: one image for every role, chosen by the command (scripts/entrypoint):
#   docker run IMAGE            -> web (gunicorn on :8000, for a proxy in front: see EXPOSE below)
#   docker run IMAGE worker     -> celery worker               docker run IMAGE beat     -> celery beat
#   docker run IMAGE migrate    -> apply migrations, then exit
#   docker run IMAGE manage createsuperuser
# Settings come from the environment (docs/operations.md); docker-compose.yml runs the whole stack.
#
#   docker build -t ticketshop .

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: the locked dependencies, then the project, into /install (no compiler needed: every dependency
# ships wheels). requirements/prod.txt pins every package with its hashes (scripts/lock): an image built
# today gets what CI tested, not whatever PyPI published since. ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY requirements/prod.txt requirements/prod.txt
RUN pip install --prefix=/install --require-hashes --no-deps -r requirements/prod.txt
COPY . .
RUN pip install --prefix=/install --no-deps .

# --- runtime: the project installed into the system Python, nothing of the source tree but manage.py ---
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_BIND=0.0.0.0:8000

# A home of its own: gunicorn (27+) puts its control socket there.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home --shell /usr/sbin/nologin app

# The installed project and its dependencies, into the system Python (same base image, same paths).
COPY --from=build /install /usr/local

WORKDIR /app
# Only these: with the packages' source in /app too, Python would import it instead of the installed copy.
COPY manage.py /app/manage.py
COPY scripts/entrypoint /app/scripts/entrypoint

# The admin's static files, served by WhiteNoise; collectstatic needs settings, not a database.
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-time-only python manage.py collectstatic --noinput -v 0 \
    && chmod 0755 /app/scripts/entrypoint

USER app
# gunicorn, for a buffering proxy on the same network (docker-compose.yml's nginx); never publish it
# directly: its sync workers are held by clients that send slowly (docs/operations.md, "Deployment kit").
EXPOSE 8000
# For the web role; compose gives the worker its own check and none to beat and migrate.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/scripts/entrypoint", "healthcheck"]
ENTRYPOINT ["/app/scripts/entrypoint"]
CMD ["web"]
