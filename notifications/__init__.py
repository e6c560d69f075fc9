"""Notifications: WeChat subscribe messages, the consent ledger and staff notices.

It depends on ``backend`` (it reads outbox events and calls the WeChat gateway), never the
reverse: the domain only writes outbox events. Its handlers are wired in by ``backend.worker``.
"""
