# syntax=docker/dockerfile:1
# Darkroom sandbox image.
#   docker build -t darkroom .
#   docker run --rm -p 8080:8080 darkroom
#   docker run --rm -p 8080:8080 -v "$PWD/darkroom.toml:/config/darkroom.toml:ro" \
#       -e DARKROOM_CONFIG=/config/darkroom.toml darkroom
# Extra flags go after the image name: docker run ... darkroom darkroom serve --host 0.0.0.0 --clock manual

FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY openapi ./openapi
COPY sandbox ./sandbox
COPY conformance ./conformance
# The project's wheel and a wheel of every dependency, so the final stage installs offline.
RUN pip wheel --wheel-dir /wheels .

FROM python:3.11-slim
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels darkroom
RUN useradd --system --uid 10001 --create-home --home-dir /home/darkroom darkroom
USER darkroom
WORKDIR /home/darkroom
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/_sandbox/health', timeout=2).status == 200 else 1)"]
CMD ["darkroom", "serve", "--host", "0.0.0.0"]
