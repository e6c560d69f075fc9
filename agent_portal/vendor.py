"""Moved to :mod:`agent_portal.common.vendor`; this name stays only while desk modules still
import it from here."""

from agent_portal.common.vendor import *  # noqa: F403
