# The QSG workspace: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=qsg.settings.production

# WeasyPrint needs Pango and HarfBuzz; Liberation fonts keep PDF pagination stable.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libffi8 \
       fonts-liberation2 fontconfig postgresql-client curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 qsg
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
RUN pip install --upgrade pip && pip install -c constraints.txt .

COPY --chown=qsg:qsg . .
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

USER qsg
EXPOSE 8000
CMD ["gunicorn", "qsg.wsgi:application", "--config", "gunicorn.conf.py"]
