"""就近办工作台 — the server-rendered staff portal (Jinja2 + HTMX 2, Simplified Chinese).

The composition root calls :func:`create_portal` and wires the returned :class:`PortalParts`
into the app; nothing else in the portal is public.
"""

from agent_portal.portal import PortalParts, create_portal

__all__ = ["PortalParts", "create_portal"]
