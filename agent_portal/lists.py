"""Moved to :mod:`agent_portal.common.lists`; this name stays only while modules outside the desks
still import it from here."""

from agent_portal.common.lists import *  # noqa: F403
