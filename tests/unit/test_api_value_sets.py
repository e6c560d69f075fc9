"""The value sets the API document lists (``Literal`` types) are the ones the code uses.

A status, action, role or channel added to the state machine, the roles or the catalogue's
rules without its ``Literal`` would make the server answer a value its own document forbids.
"""

from __future__ import annotations

from typing import get_args

import pytest

from backend.cases import schemas as case_schemas
from backend.cases.states import Action, Status
from backend.cases.submission import CHANNEL_OF_SUBMISSION
from backend.catalogue import model
from backend.catalogue import schemas as catalogue_schemas
from backend.identity.roles import ROLES

pytestmark = pytest.mark.unit


def test_case_values_follow_the_state_machine_and_the_roles() -> None:
    assert set(get_args(case_schemas.CaseStatus)) == {s.value for s in Status}
    assert {a.value for a in Action} <= set(get_args(case_schemas.TimelineAction))
    assert set(ROLES) | {"citizen", "system"} <= set(get_args(case_schemas.ActorRole))
    assert set(get_args(case_schemas.CaseChannel)) == set(CHANNEL_OF_SUBMISSION)
    assert set(get_args(case_schemas.DeliveryMethod)) == set(model.DELIVERY_METHODS)


def test_catalogue_values_follow_its_rules() -> None:
    assert set(get_args(catalogue_schemas.Channel)) == set(model.CHANNELS)
    assert set(get_args(catalogue_schemas.Level)) == set(model.LEVELS)
    assert set(get_args(catalogue_schemas.DeliveryMethod)) == set(model.DELIVERY_METHODS)
    assert set(get_args(catalogue_schemas.Datatype)) == set(model.DATATYPES)
    assert set(get_args(catalogue_schemas.Sensitivity)) == set(model.SENSITIVITIES)
