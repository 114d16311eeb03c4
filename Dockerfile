FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY . .
# The Welsh catalogue is compiled here, and the English one made from it (the .mo files are built, not committed:
# docs/welsh.md).
# collectstatic reads the production settings, which refuse to start without what a running service needs: these
# values exist only for this build step and are not kept in the image.
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt && pip install --no-cache-dir --no-deps -e . \
    && pybabel compile -D django -d locale && python scripts/english_catalog.py \
    && SECRET_KEY=build-only-not-a-secret-$(date +%s%N) REDIS_URL=redis://build-only SERVICE_BASE_URL=http://build-only \
       NOTIFY_FAKE=1 HMPPS_AUTH_URL=http://build-only HMPPS_CLIENT_ID=build-only HMPPS_CLIENT_SECRET=build-only \
       HMPPS_API_URL=http://build-only HMPPS_EVENTS_QUEUE_URL=http://build-only/queue \
       python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app && chown -R app /app
USER app

EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py"]
