"""Moved to :mod:`agent_portal.common.auth`; this name stays only while desk modules still
import it from here."""

from agent_portal.common.auth import *  # noqa: F403
