"""gunicorn settings for the web process (``gunicorn -c gunicorn.conf.py wsgi:app``).

The number of processes comes from WEB_CONCURRENCY (read by gunicorn itself, default 1 per
container); anything else can be overridden without a rebuild through GUNICORN_CMD_ARGS.
The app's own settings are environment variables validated by service/config.py.
"""

bind = "0.0.0.0:8000"
# Threads serve the I/O-bound requests (database, Redis) of one process; the tenant context is a
# context variable, so each thread keeps its own.
worker_class = "gthread"
threads = 4
timeout = 30
graceful_timeout = 30
keepalive = 5
# Restart each process now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Logs go to stdout/stderr, where the container runtime collects them.
accesslog = "-"
errorlog = "-"
# The app is not preloaded: each process opens its own database and Redis connections after the fork.
preload_app = False
