"""The benchmark behind ``make bench``: the real API against a bare Litestar baseline.

Run it with ``python -m bench.run``; see ``docs/benchmarks.md``.
"""
