"""Moved to :mod:`agent_portal.common.errors`; this name stays only while desk modules still
import it from here."""

from agent_portal.common.errors import *  # noqa: F403
