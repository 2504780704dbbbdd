"""Shared test infrastructure: real servers and tools, started on demand.

- `buildgrid`: a BuildGrid REAPI cache on loopback (`running_buildgrid()`, stdlib only);
- `fixtures`: the session fixture `buildgrid` (import it in a conftest);
- `pants_checkout`: temporary copies of the repo for tests that run the real `./pants`;
- `workunits`: which binding step a Pants process was, and whether it was a cache hit.

Tests run with --import-mode=importlib, which does not put the repo root on sys.path:
a conftest that imports `tests.support` inserts it first (see tests/remote_cache).
"""
