"""Validation against the vendored OASIS SARIF 2.1.0 schema (see README.md here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())


def validate_sarif(document: Any) -> None:
    """Raises jsonschema.ValidationError, with the offending path, when not SARIF 2.1.0."""
    jsonschema.Draft4Validator(SCHEMA).validate(document)
