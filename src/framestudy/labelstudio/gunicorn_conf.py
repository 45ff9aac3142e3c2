"""gunicorn settings for the team server (read by ``gunicorn -c <this file>``; see :mod:`.team`).

The application is loaded once in the master (``--preload``) and forked into the workers.
Label Studio queries the database while it loads, so the master holds a database
connection at that point; a connection must never be shared by forked processes, so the
master closes its connections before each fork and every worker opens its own.
"""


def pre_fork(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    from django.db import connections

    connections.close_all()
