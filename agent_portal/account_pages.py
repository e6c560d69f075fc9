"""Moved to :mod:`agent_portal.admin.account_pages`; this name stays only while desk modules still
import it from here."""

from agent_portal.admin.account_pages import *  # noqa: F403
