# syntax=docker/dockerfile:1
# The Role Guide's app image: one image, two long-running services (docker-compose.yml).
#   bot      python -m bot                                          (the default command)
#   actions  python -m rasa_sdk --actions actions --port 5055
# plus the one-shot `migrate` (python -m storage). Rasa itself has its own image (Dockerfile.rasa).
# No settings and no secrets are baked in: they come from the environment (.env, docker-compose.yml).

# --- build: a virtual environment with the project and its runtime dependencies ------------------
FROM python:3.10-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The pip the Makefile uses.
RUN pip install --no-cache-dir "pip==24.0"

WORKDIR /src
COPY pyproject.toml README.md ./
COPY requirements/app.lock requirements/app.lock
# The packages pyproject.toml lists (tools/ included: setuptools wants every listed package).
COPY bot/ bot/
COPY actions/ actions/
COPY content/ content/
COPY storage/ storage/
COPY coordinator/ coordinator/
COPY safety/ safety/
COPY reading/ reading/
COPY tools/ tools/
# As the Makefile installs it, without the [dev] extra: runtime dependencies only, each at the
# version requirements/app.lock pins (the lock also pins the test tools, which stay out of the image).
# Not editable: the code lives in site-packages, and the image needs no source tree.
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install -c requirements/app.lock . \
 && pip check

# --- runtime --------------------------------------------------------------------------------------
FROM python:3.10-slim

# A fixed, unprivileged user; it owns only the data folder.
RUN groupadd --system --gid 10001 roleguide \
 && useradd --system --uid 10001 --gid roleguide --create-home --home-dir /home/roleguide \
        --shell /usr/sbin/nologin roleguide \
 && mkdir /data \
 && chown roleguide:roleguide /data \
 && chmod 0700 /data

COPY --from=build /opt/venv /opt/venv

# What the safety net's crisis classifier learns from at start-up (safety/crisis_classifier.py:
# LABELLED_SETS and NLU_FILES, read under ROLEGUIDE_CRISIS_TRAINING_ROOT with the repository's
# layout). Only the training sets: the blind and held-out sets it must never learn from stay out.
COPY tests/safety/crisis_eval.yml tests/safety/crisis_holdout.yml /app/training/tests/safety/
COPY nlu/ /app/training/nlu/

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ROLEGUIDE_DATA_DIR=/data \
    ROLEGUIDE_CRISIS_TRAINING_ROOT=/app/training

WORKDIR /app
USER roleguide

# The action server; the bot's webhook (WEBHOOK_PORT in docker-compose.yml).
EXPOSE 5055 8443
CMD ["python", "-m", "bot"]
