# The mocknexus image (contract §8): `make image` builds it, `make image-test` proves it; README "In CI" uses it.
# BASE is any image with python3.11 on its PATH; image/base.sh builds one from Debian packages where no image
# registry is reachable (`make image BASE=localhost/mocknexus-base:bookworm`).
ARG BASE=python:3.11-slim

FROM ${BASE} AS build
COPY . /src
# The pip settings this machine needs (a CA bundle, an index) come in as a secret and build args of this stage
# only: the final stage copies the installed venv and nothing else, so the image carries none of them.
ARG PIP_INDEX_URL=
ARG PIP_EXTRA_INDEX_URL=
RUN --mount=type=secret,id=pip-cert \
    if [ -s /run/secrets/pip-cert ]; then export PIP_CERT=/run/secrets/pip-cert; fi; \
    [ -n "$PIP_INDEX_URL" ] || unset PIP_INDEX_URL; [ -n "$PIP_EXTRA_INDEX_URL" ] || unset PIP_EXTRA_INDEX_URL; \
    python3.11 -m venv /opt/mocknexus \
    && /opt/mocknexus/bin/pip install --quiet --no-cache-dir --disable-pip-version-check /src \
    && /opt/mocknexus/bin/pip uninstall --quiet --yes pip setuptools

FROM ${BASE}
COPY --from=build /opt/mocknexus /opt/mocknexus
COPY fixtures/ /fixtures/
ENV PATH=/opt/mocknexus/bin:$PATH \
    MOCKNEXUS_HOST=0.0.0.0 \
    MOCKNEXUS_PORT=8080 \
    MOCKNEXUS_FIXTURES=/fixtures
# A numeric user: non-root on any base, with or without useradd, and what runAsNonRoot can check.
USER 10001:10001
EXPOSE 8080
# `mocknexus health` reads MOCKNEXUS_HOST and MOCKNEXUS_PORT: set the port by the variable, not by --port.
HEALTHCHECK --interval=3s --timeout=3s --start-period=10s --retries=3 CMD ["mocknexus", "health"]
# The exec form keeps mocknexus PID 1, so `docker stop` (SIGTERM) reaches it and it exits 0 within a second.
ENTRYPOINT ["mocknexus", "serve"]
