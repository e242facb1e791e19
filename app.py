"""WSGI entry point: `flask --app app run` or `gunicorn app:app`."""

from coprod.factory import create_app

app = create_app()
