"""Routes of the delegation context, by audience.

- ``/api/v1/agent/…`` (:mod:`.agent`) — village agents and bank clerks (role ``agent``):
  villagers, mandates, filing on behalf, errands, custody batches, the hand-over of results.
- ``/api/v1/mandates/…`` (:mod:`.citizen`) — the citizen sees, confirms, refuses and revokes
  mandates.
- ``/api/v1/window/handovers/…`` and ``/api/v1/window/referrals/…`` (:mod:`.window`) — the
  township receives originals, sends results back and settles registrations referred to it.
- ``/api/v1/supervision/mandates/…`` (:mod:`.supervision`) — supervisors' spot checks of paper
  mandates.

Object-level checks come first (:mod:`.guards`): a case, mandate, citizen or batch the caller has
no standing for is 404 before the body is read.
"""

from backend.delegation.routes.agent import AgentController
from backend.delegation.routes.citizen import CitizenMandateController
from backend.delegation.routes.supervision import SpotCheckController
from backend.delegation.routes.window import WindowHandoverController, WindowReferralController

__all__ = [
    "AgentController",
    "CitizenMandateController",
    "SpotCheckController",
    "WindowHandoverController",
    "WindowReferralController",
]
