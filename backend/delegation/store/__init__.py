"""The delegation context's SQL over its own tables (``backend.delegation.tables``), as typed rows:
:mod:`.handovers` (custody batches), :mod:`.mandates`, :mod:`.villagers` (agents' registrations
and the referrals the township settles). What it reads of case tables is in
``backend.cases.store.custody``."""
