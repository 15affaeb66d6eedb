# trakt-sync: the daemon in a container. See compose.yaml for the first login.
#
#   docker build -t trakt-sync .      (the release job builds and publishes the image;
#                                      no image engine runs on the development machines)
#   docker run --rm -it -v trakt-sync-data:/data -e TRAKT_SYNC_TRAKT__CLIENT_ID=... \
#     trakt-sync auth
#   docker run -d --init --name trakt-sync -v trakt-sync-data:/data -e ... trakt-sync
#
# Every bit of state (database, tokens.json, caches, locks) and the optional config
# file live in the /data volume. There is no keyring in a container: tokens go to the
# file backend, a 0600 tokens.json in /data.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/opt/trakt-sync UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1
# uv at the version the Makefile pins; it installs exactly what uv.lock says.
RUN pip install --no-cache-dir 'uv==0.13.9'
WORKDIR /src
# Only what the build needs (README.md is the package's long description; setup.py
# compiles the message catalogs into the build).
COPY pyproject.toml uv.lock README.md setup.py ./
COPY trakt_sync ./trakt_sync
# --frozen: the lock as committed, never re-resolved; --no-editable: the package is copied
# into the venv, so /src is not needed at run time; no dev extras.
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
# The python:*-slim images already install Debian's tzdata (/usr/share/zoneinfo), which
# zoneinfo uses for sync.timezone and TZ: no pip tzdata needed. ca-certificates is there
# too, though httpx verifies against certifi's bundle.
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin trakt \
    && install -d -o trakt -g trakt -m 0700 /data
COPY --from=build /opt/trakt-sync /opt/trakt-sync
# Not a secret: TRAKT_SYNC_SECRETS__BACKEND names the token store.
# hadolint ignore=DL3064
ENV PATH=/opt/trakt-sync/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TRAKT_SYNC_HOME=/data \
    TRAKT_SYNC_SECRETS__BACKEND=file
USER 10001:10001
WORKDIR /data
# A new named volume takes /data's owner (uid 10001) from the image. A bind-mounted
# host directory does not: create it and `chown 10001:10001` it first.
VOLUME ["/data"]
# The web page, when web.listen is set (compose.yaml sets it with a password).
EXPOSE 8765
# status --check exits 1 when the last run failed or no sync succeeded within twice
# the schedule interval (-q: nothing on stdout unless the check fails). The daemon syncs at start when a fire was missed since the
# last run (always on a fresh volume), so a short start period covers the first sync.
HEALTHCHECK --interval=5m --timeout=60s --start-period=10m --retries=3 \
    CMD ["trakt-sync", "status", "--check", "-q"]
# SIGTERM finishes the current step and exits 0 (allow it some seconds: compose.yaml
# sets stop_grace_period; `docker run --init` or compose's `init: true` add an init).
STOPSIGNAL SIGTERM
ENTRYPOINT ["trakt-sync"]
CMD ["daemon"]
