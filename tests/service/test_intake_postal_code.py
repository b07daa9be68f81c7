"""The intake's 郵便番号 (issue 14): accepted with or without the hyphen, anything else refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.schemas.applications import ApplicantIn


@pytest.mark.parametrize("value", ["101-0052", "1010052"])
def test_a_postal_code_is_accepted(value: str) -> None:
    assert ApplicantIn(postal_code=value).postal_code == value


@pytest.mark.parametrize("value", ["101-052", "10100521", "〒101-0052", "101 0052", "abc-defg"])
def test_anything_else_is_refused_naming_the_field(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        ApplicantIn(postal_code=value)
    assert error.value.errors()[0]["loc"] == ("postal_code",)
