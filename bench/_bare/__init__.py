"""The registration bench's limit: a bare Django WSGI app (bench/registration.py).

No apps, no middleware, one view doing one raw INSERT on a persistent connection: what Django
itself costs under the same gunicorn and PostgreSQL, with nothing of ours on top.
"""
