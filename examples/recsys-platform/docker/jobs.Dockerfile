# Image for the batch side: pipeline components, the drift job and feature materialization.
# Build from the repository root: docker build -f docker/jobs.Dockerfile -t recsys-jobs .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RECSYS_CONF_DIR=/app/conf \
    FEAST_REPO_PATH=/app/feature_repo

WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY pyproject.toml README.md ./
COPY src/ src/
RUN pip install --no-deps .

COPY conf/ conf/
COPY feature_repo/ feature_repo/
COPY monitoring/ monitoring/

RUN useradd --create-home --uid 10001 recsys
USER 10001
