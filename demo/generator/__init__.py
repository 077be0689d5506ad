"""Believable programme data at N times the ESC project, written with bulk inserts.

`generate(scale=N)` creates N projects shaped like the Enterprise Service Centres project (two
neighbourhoods, 16 businesses, 114 jobs, 4 rehabilitation sites, 100 beneficiaries and their
fora, three targets) spread over the UN missions' countries, then recomputes progress once.

`places` says where each project is, `world` what rows it holds and their values (each project
draws from its own seeded generator: the same scale and seed give the same rows, whatever the
chunking), `writer` inserts them in bulk.
"""

from .places import hoods_of
from .writer import GeneratedDataExists, Report, generate

__all__ = ["GeneratedDataExists", "Report", "generate", "hoods_of"]
