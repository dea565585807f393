"""`trusted` builds the same facts as validation, for facts that are valid already: the bulk path relies
on it for hundreds of thousands of facts per screening."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from leadgate.core import facts as f
from leadgate.core.engine import decide
from leadgate.rules.loader import load
from tests.core.test_properties import fact_dicts

BOOKS = load(None)


def _rebuilt(model: Any) -> Any:
    """The model again through trusted, every nested model too."""
    values = {}
    for name, value in model.__dict__.items():
        if isinstance(value, f.BaseModel):
            value = _rebuilt(value)
        elif isinstance(value, tuple):
            value = tuple(_rebuilt(v) if isinstance(v, f.BaseModel) else v for v in value)
        values[name] = value
    return type(model).trusted(**values)


@settings(max_examples=150, deadline=None)
@given(data=fact_dicts())
def test_trusted_facts_equal_validated_facts_and_decide_the_same(data: dict[str, Any]) -> None:
    validated = f.Facts.model_validate(data)
    trusted = _rebuilt(validated)
    assert trusted == validated
    assert hash(trusted) == hash(validated)
    assert trusted.model_dump() == validated.model_dump()
    assert decide(trusted, BOOKS) == decide(validated, BOOKS)


def test_trusted_refuses_a_missing_or_unknown_field() -> None:
    with pytest.raises(TypeError, match="exactly its fields"):
        f.Customer.trusted(paid=True)
    with pytest.raises(TypeError, match="exactly its fields"):
        f.Customer.trusted(paid=True, relationship_ended=None, extra=1)
