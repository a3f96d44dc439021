# The one image for every Fairpact process: web (gunicorn), worker (fairpact worker), migrate.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FAIRPACT_INSTANCE_DIR=/var/lib/fairpact

# WeasyPrint loads Pango, HarfBuzz and fontconfig at run time; the fonts are pinned by package so
# contract PDFs paginate the same way here as in CI.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, from the pins in pyproject.toml only, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .
# Editable, so migrations/, contract_templates/ and wsgi.py are found next to the packages.
RUN pip install --no-deps -e . \
    && if ls service/translations/*/LC_MESSAGES/*.po >/dev/null 2>&1; then pybabel -q compile -d service/translations; fi \
    && useradd --system --uid 10001 --home-dir /var/lib/fairpact --create-home fairpact

USER fairpact
EXPOSE 8000

# Liveness: the process answers. compose.yaml checks readiness (/readyz) for the web service.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"

CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
