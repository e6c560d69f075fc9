"""Moved to :mod:`agent_portal.common.desk`; this name stays only while modules outside the desks
still import it from here."""

from agent_portal.common.desk import *  # noqa: F403
