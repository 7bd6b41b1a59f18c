"""The WSGI entry point: `gunicorn wsgi:app`."""

from sharetrack import create_app

app = create_app()
