"""``make faults``: every fault scenario against real processes, one table of what survived.

Each scenario module exposes ``SCENARIOS``, a list of :class:`bench.faults.base.Scenario`; the
runner (``python -m bench.faults``) gives each one an :class:`~bench.faults.base.FaultEnv` and
prints one row per :class:`~bench.faults.base.Outcome`. ``--short`` is the form ``make test``
runs (``tests/faults``).
"""
