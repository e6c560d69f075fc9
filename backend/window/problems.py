"""The problem codes the window and review routes declare (``backend.http.openapi.operation``).

What every operation of its kind answers (401, 403 ``not_allowed``, 422 ``validation_failed``…)
is added by ``openapi.complete``; these are the codes the use cases themselves raise.
"""

from __future__ import annotations

from typing import Final

CASE_404: Final = ("case_not_found", "not_found")
"""A case outside the caller's township or department (the guard, before the body is read)."""

FRONT_DESK_409: Final = ("case_on_external_platform", "case_claimed", "transition_not_allowed")
"""Every front-desk action: pushed to the township's platform, claimed by another clerk, or a
status that does not allow it."""

MATERIAL_LINK: Final[dict[int, list[str]]] = {
    404: [*CASE_404, "material_not_found", "upload_not_found"],
}
REVEAL: Final[dict[int, list[str]]] = {
    404: [*CASE_404, "form_field_not_found"],
    422: ["audit_reason_required"],
}
