"""Settings of the bare app: only what Django needs to answer a request and reach the database."""

import os

import environ

SECRET_KEY = "bench-bare-app-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench._bare.urls"
USE_TZ = True
USE_I18N = False
# Django's own defaults for PostgreSQL (client-side binding), with the connection kept.
DATABASES = {
    "default": {**environ.Env.db_url_config(os.environ["DATABASE_URL"]), "CONN_MAX_AGE": 600}
}
LOGGING_CONFIG = None
