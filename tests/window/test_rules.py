"""Pure rules of the window package: how a bundle closes, how names are masked."""

from __future__ import annotations

import pytest

from backend.cases.bundles import closing_actions
from backend.cases.states import Action, Status, decide
from backend.window.present import mask_name

pytestmark = pytest.mark.unit

S = Status


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database."""


@pytest.mark.parametrize(
    ("parent", "children", "resume", "expected"),
    [
        (
            S.ACCEPTED,
            [S.DELIVERED, S.DENIED],
            None,
            [Action.APPROVE, Action.ISSUE_RESULT, Action.DELIVER],
        ),
        (S.ACCEPTED, [S.DENIED, S.DENIED], None, [Action.DENY]),
        (S.ACCEPTED, [S.DENIED, S.REJECTED], None, [Action.DENY]),
        (S.IN_REVIEW, [S.DELIVERED], None, [Action.APPROVE, Action.ISSUE_RESULT, Action.DELIVER]),
        (S.APPROVED, [S.DELIVERED], None, [Action.ISSUE_RESULT, Action.DELIVER]),
        (S.QUEUED, [S.REJECTED, S.WITHDRAWN], None, [Action.REJECT]),
        (S.QUEUED, [S.WITHDRAWN, S.WITHDRAWN], None, [Action.WITHDRAW]),
        (S.AWAITING_SUPPLEMENT, [S.REJECTED], S.QUEUED, [Action.REJECT]),
        (S.ACCEPTED, [S.DELIVERED, S.IN_REVIEW], None, []),  # a child still open
        (S.DELIVERED, [S.DELIVERED], None, []),  # already closed
        (S.AWAITING_SUPPLEMENT, [S.DENIED], S.ACCEPTED, []),  # the machine cannot move it
    ],
)
def test_closing_actions(parent, children, resume, expected):
    assert closing_actions(parent, children, resume_to=resume) == expected


def test_every_closing_sequence_is_one_the_state_machine_allows():
    for parent in (S.QUEUED, S.ACCEPTED, S.IN_REVIEW, S.APPROVED, S.RESULT_READY):
        for children in ([S.DELIVERED, S.DENIED], [S.DENIED], [S.REJECTED], [S.WITHDRAWN]):
            status = parent
            for action in closing_actions(parent, children):
                status = decide(status, action).to
            if closing_actions(parent, children):
                assert status in {S.DELIVERED, S.DENIED, S.REJECTED, S.WITHDRAWN}


def test_names_are_masked_in_the_middle():
    assert mask_name("王秀英") == "王*英"
    assert mask_name("王英") == "王*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("阿依古丽·买买提") == "阿" + "*" * 6 + "提"
    assert mask_name(None) == "" and mask_name("王") == "王"


def test_staff_see_only_the_actions_the_bundle_rules_allow():
    from backend.cases.bundles import bundle_allowed
    from backend.cases.states import Action, allowed_actions
    from tests.factories import case_record

    def case(status: str, *, parent=None, bundle="CSYJS"):
        return case_record(status=status, parent=parent, bundle_code=bundle)

    queued_parent = case("queued")
    child = case("queued", parent=1, bundle=None)
    assert bundle_allowed(
        child, allowed_actions(Status.QUEUED), parent=queued_parent, children=[]
    ) == [Action.REJECT]
    accepted_parent = case("accepted")
    done_children = [case("in_review", parent=1, bundle=None)]
    offered = bundle_allowed(
        accepted_parent, allowed_actions(Status.ACCEPTED), parent=None, children=done_children
    )
    assert Action.REQUEST_SUPPLEMENT not in offered and Action.TRANSFER not in offered
    waiting = [case("accepted", parent=1, bundle=None)]
    assert Action.TRANSFER in bundle_allowed(
        accepted_parent, allowed_actions(Status.ACCEPTED), parent=None, children=waiting
    )
