"""gunicorn settings of the API benchmark: the production file (gunicorn.conf.py), then two changes.

Both the Fairpact app and the bare Flask baseline run under exactly these settings. Changed for the
measurement only: no access log (a line per request to a pipe the benchmark would have to drain) and no
periodic worker restarts (a restart in the middle of a 10-second run would measure app start-up).
"""

from pathlib import Path

exec((Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text())  # noqa: S102 (our own file)

accesslog = None
max_requests = 0
max_requests_jitter = 0
