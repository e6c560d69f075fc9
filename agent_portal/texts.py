"""Moved to :mod:`agent_portal.common.texts`; this name stays only while desk modules still
import it from here."""

from agent_portal.common.texts import *  # noqa: F403
