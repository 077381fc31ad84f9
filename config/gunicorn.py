"""gunicorn settings for Juncture's web processes:

    gunicorn -c config/gunicorn.py config.wsgi

Why these values (measured with ``bench/load.py`` and ``bench/run.py``; docs/deployment.md has
the tables): one process per core, because Python runs one thread at a time per process, so
each core needs its own process; a few threads in each, because a request spends part of its
time waiting for PostgreSQL and another thread can run meanwhile; ``gthread`` (not ``sync``)
also keeps HTTP connections alive between requests, which ``sync`` never does. More processes
than cores only took CPU from PostgreSQL and from each other.

Each value can be changed without editing this file: the environment variables below, or a
command-line option (which wins over the file).
"""

import os

# WEB_CONCURRENCY is the variable gunicorn itself and most platforms use for the process count.
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Each thread holds its own database connection (CONN_MAX_AGE): workers x threads per machine
# must fit PostgreSQL's max_connections or the pooler's pool.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Seconds an idle client connection stays open (gthread only; it costs no thread while idle).
# Behind a load balancer set it above the balancer's own idle timeout (GUNICORN_KEEPALIVE=75
# for 60 s), so gunicorn never closes a connection the balancer is about to reuse.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# A worker silent this long is killed and replaced. Every statement is bounded by
# DATABASE_STATEMENT_TIMEOUT_MS (5 s) and the slowest pages take well under a second.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# The workers' heartbeat files: on a memory file system when there is one (a container's
# /tmp may be a slow overlay, and a stalled heartbeat gets a healthy worker killed).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# Not preloaded: each worker imports the application itself, so a connection or a thread
# opened while importing is never shared between forked processes, and a HUP reloads code.
preload_app = False
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
