"""The window context's use cases (镇街窗口 and 后台审批), one keyword-only function each.

Every use case that writes opens its own ``unit_of_work``; the API handlers
(``backend.window.routes``…) and the portal's pages call the same functions and only translate
HTTP or forms in and out. The steps they run inside the transaction are ``actions`` (front
desk), ``review`` (back office), ``walkin``, ``claims`` and ``routing``.
"""
