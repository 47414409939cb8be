# Byline: a Discord bot that reads the news. Build: docker build -t byline .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install '.[postgres]'

COPY config.example.toml ./config.example.toml
COPY samples ./samples

# The store lives in a volume; the token comes from the environment (DISCORD_TOKEN).
RUN useradd --create-home byline && mkdir -p /app/data && chown byline /app/data
USER byline
VOLUME ["/app/data"]

ENTRYPOINT ["byline"]
CMD ["run"]
