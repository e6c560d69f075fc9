"""Rules the state machine holds besides single moves: deadlines, bundles, who hears of what."""

from __future__ import annotations

import dataclasses

import pytest

from backend.cases import bundles, states, transitions
from backend.cases.states import Action, Status, clock_kind, decide
from notifications import planner
from tests.factories import case_record

pytestmark = pytest.mark.unit

S = Status


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Pure tests: no database."""


@pytest.mark.parametrize(
    ("status", "action", "resume", "moves"),
    [
        (S.QUEUED, Action.ACCEPT, None, True),  # the deadline is set
        (S.ACCEPTED, Action.REQUEST_SUPPLEMENT, None, True),  # paused
        (S.AWAITING_SUPPLEMENT, Action.SUPPLY, S.IN_REVIEW, True),  # moved on
        (S.IN_REVIEW, Action.APPROVE, None, False),  # the clock stops, the case stays open
        (S.IN_REVIEW, Action.DENY, None, True),  # closed
        (S.QUEUED, Action.REQUEST_SUPPLEMENT, None, False),  # before acceptance: no clock
        (S.AWAITING_SUPPLEMENT, Action.SUPPLY, S.QUEUED, False),
        (S.ACCEPTED, Action.TRANSFER, None, False),
    ],
)
def test_the_machine_says_when_the_deadline_moves(status, action, resume, moves):
    assert decide(status, action, resume_to=resume).moves_deadline is moves


@pytest.mark.parametrize(
    ("action", "source", "target", "kind"),
    [
        (Action.ACCEPT, S.QUEUED, S.ACCEPTED, "accept"),
        (Action.REQUEST_SUPPLEMENT, S.IN_REVIEW, S.AWAITING_SUPPLEMENT, "pause"),
        (Action.REQUEST_SUPPLEMENT, S.QUEUED, S.AWAITING_SUPPLEMENT, "ask"),
        (Action.SUPPLY, S.AWAITING_SUPPLEMENT, S.ACCEPTED, "resume"),
        (Action.SUPPLY, S.AWAITING_SUPPLEMENT, S.QUEUED, "resume"),
        (Action.FORWARD, S.SUBMITTED, S.QUEUED, None),
        (Action.APPROVE, S.ACCEPTED, S.APPROVED, "close"),
        (Action.DENY, S.IN_REVIEW, S.DENIED, "close"),
        (Action.WITHDRAW, S.QUEUED, S.WITHDRAWN, "close"),
        (Action.REJECT, S.QUEUED, S.REJECTED, "close"),
        (Action.DELIVER, S.RESULT_READY, S.DELIVERED, None),
    ],
)
def test_what_each_step_means_to_the_clock(action, source, target, kind):
    assert clock_kind(action.value, source.value, target.value) == kind


def test_before_acceptance_follows_a_supplement_back_to_where_it_came_from():
    assert states.before_acceptance(S.QUEUED)
    assert states.before_acceptance(S.AWAITING_SUPPLEMENT, S.QUEUED)
    assert not states.before_acceptance(S.AWAITING_SUPPLEMENT, S.ACCEPTED)
    assert not states.before_acceptance(S.ACCEPTED)


def test_a_bundle_is_withdrawn_whole_only_while_no_item_was_accepted():
    assert states.bundle_withdrawable([S.QUEUED, S.WITHDRAWN, S.AWAITING_SUPPLEMENT])
    assert not states.bundle_withdrawable([S.QUEUED, S.ACCEPTED])
    assert not states.bundle_withdrawable([S.IN_REVIEW])


def test_bundles_keep_the_closing_rules_of_the_machine():
    assert bundles.closing_actions is states.closing_actions


def test_bundle_rules_narrow_the_machines_actions():
    every = states.allowed_actions(S.QUEUED)
    child = case_record(parent=1, status="queued")
    parent = case_record(bundle_code="b", item_code=None, item_version=None, status="queued")
    assert bundles.bundle_allowed(child, every, parent=parent, children=[]) == [Action.REJECT]
    accepted = dataclasses.replace(parent, status="accepted")
    after = states.allowed_actions(S.ACCEPTED)
    assert Action.REQUEST_SUPPLEMENT not in bundles.bundle_allowed(
        accepted, after, parent=None, children=[case_record(status="accepted")]
    )
    assert Action.TRANSFER not in bundles.bundle_allowed(
        accepted, after, parent=None, children=[case_record(status="denied")]
    )


def test_one_list_says_which_steps_the_citizen_hears_of():
    assert frozenset(states.CITIZEN_HEARS) == transitions.NOTIFIED
    assert {a.value: e for a, e in states.CITIZEN_HEARS.items()} == planner.ACTION_EVENTS
