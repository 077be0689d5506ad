"""gunicorn's settings for every server of the project (`make up`, `make bench`, `make loadtest`),
read from the working directory; the command line adds the address and the number of workers.

Threaded workers: an open dashboard waiting for its figures (dashboard.views.live) holds one
thread, not a worker process that the field's requests would queue behind."""

worker_class = "gthread"
threads = 4
#: No more connections than threads: a busy worker leaves the next request in the listen queue for
#: a free one (by default a gthread worker accepts up to 1,000 and serves them in turn).
worker_connections = threads
