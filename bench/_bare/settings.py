"""Settings of the bare app: only what Django needs to answer a request and reach the database."""

import os

import dj_database_url

SECRET_KEY = "bench-bare-app-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench._bare.urls"
USE_TZ = True
USE_I18N = False
# Django's own defaults for PostgreSQL (client-side binding), with the connection kept.
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}
LOGGING_CONFIG = None
