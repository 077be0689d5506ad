"""gunicorn's settings for every server of the project (`make up`, `make bench`, `make loadtest`),
read from the working directory; the command line adds the address and the number of workers.

Threaded workers: an open dashboard waiting for its figures (dashboard.views.live) holds one
thread, not a worker process that the field's requests would queue behind."""

worker_class = "gthread"
threads = 4
#: No more connections than threads: a busy worker leaves the next request in the listen queue for
#: a free one (by default a gthread worker accepts up to 1,000 and serves them in turn).
worker_connections = threads


def post_worker_init(worker):
    """Once the worker has loaded Django: what it loaded (modules, URL patterns, templates) is left
    out of the garbage collector's full passes, which otherwise walk it again and again, a pause
    of some milliseconds in the middle of a request."""
    import gc

    gc.freeze()
