"""Moved to :mod:`agent_portal.common.menu`; this name stays only while desk modules still
import it from here."""

from agent_portal.common.menu import *  # noqa: F403
