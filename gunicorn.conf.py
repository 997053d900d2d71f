"""gunicorn settings for every deployment: docker-compose, the Dockerfile and the load stack.

gunicorn reads this file from its working directory; each value can be overridden on the command
line or through the environment variables named below.

Keep-alive: gunicorn's default closes an idle connection after 2 seconds. A client (a browser,
a reverse proxy, an API script) that sends its next request at the moment the server closes the
socket gets a connection reset with no response at all: the load test saw 14 of these in 8,873
requests, and a POST that is reset after its commit leaves the user not knowing whether it was
stored. The idle timeout must therefore be longer than the idle timeout of whatever sits in
front of gunicorn (nginx's default upstream keep-alive is 60 s, most load balancers 60 s), so
that the client, not the server, is always the side that closes an idle connection.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gthread: a slow request (a PDF download, an import upload) holds one thread, not a whole
# worker, and idle keep-alive connections wait in the worker's poller without holding a thread.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
