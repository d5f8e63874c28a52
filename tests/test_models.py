"""The models as a contract: every field documented, class vocabularies consistent, unknown fields refused."""

from __future__ import annotations

from typing import Any, get_args

import pytest
import yaml
from conftest import MINIMAL_RECORD
from pydantic import BaseModel, ValidationError

from immunoref.models import MODELS, THERAPY_ADAPTER, Indication, Reference, Target, Toxicity
from immunoref.vocabularies import SUBCLASSES, THERAPY_CLASSES

NESTED: list[type[BaseModel]] = [Target, Indication, Toxicity, Reference]


@pytest.mark.parametrize("model", [*MODELS.values(), *NESTED], ids=lambda m: m.__name__)
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    undocumented = [name for name, field in model.model_fields.items() if not (field.description or "").strip()]
    assert undocumented == []


def test_exported_schema_documents_every_property() -> None:
    schema = THERAPY_ADAPTER.json_schema()
    missing = [
        f"{name}.{prop}"
        for name, definition in schema["$defs"].items()
        for prop, spec in definition.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert missing == []


def test_models_cover_every_class_with_its_subclasses() -> None:
    assert tuple(MODELS) == THERAPY_CLASSES
    for therapy_class, model in MODELS.items():
        assert get_args(model.model_fields["therapy_class"].annotation) == (therapy_class,)
        assert get_args(model.model_fields["subclass"].annotation) == SUBCLASSES[therapy_class]


def test_record_validates_into_its_class_and_is_frozen() -> None:
    therapy = THERAPY_ADAPTER.validate_python(yaml.safe_load(MINIMAL_RECORD))
    assert type(therapy).__name__ == "CheckpointInhibitor"
    with pytest.raises(ValidationError):
        therapy.name = "other"  # type: ignore[misc]


def test_class_specific_fields_belong_to_their_class() -> None:
    record: dict[str, Any] = yaml.safe_load(MINIMAL_RECORD)
    record["costimulatory_domain"] = "CD28"  # a CAR-T field on a checkpoint inhibitor
    with pytest.raises(ValidationError, match="costimulatory_domain"):
        THERAPY_ADAPTER.validate_python(record)
