"""Moved to :mod:`agent_portal.common.security`; this name stays only while desk modules still
import it from here."""

from agent_portal.common.security import *  # noqa: F403
