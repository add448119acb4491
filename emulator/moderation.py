"""Moderation labels for an image, read from the image's own S3 user metadata.

This is an emulation, not a model: the emulator never looks at pixels. Test data says
what "is detected" so results are deterministic:

    x-amz-meta-moderation-labels: Violence:88.5;Graphic Violence:75
    x-amz-meta-content-types:     Animated:72.7

Entries are ``Name:Confidence`` separated by ``;`` (spaces around them ignored),
confidence 0..100. ParentName and TaxonomyLevel come from :data:`TAXONOMY`, a subset of
the moderation model 7.0 three-level taxonomy; a name it does not know is reported as a
top-level (level 1) label. Labels below the job's MinConfidence are dropped; content
types are reported whatever their confidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

LABELS_METADATA: Final = "x-amz-meta-moderation-labels"
CONTENT_TYPES_METADATA: Final = "x-amz-meta-content-types"
MAX_CONTENT_TYPES: Final = 50
"""The DetectModerationLabels model caps ContentTypes at 50 items."""

_TREE: Final[dict[str, dict[str, list[str]]]] = {
    "Explicit": {
        "Explicit Nudity": [
            "Exposed Male Genitalia",
            "Exposed Female Genitalia",
            "Exposed Buttocks or Anus",
            "Exposed Female Nipple",
        ],
        "Explicit Sexual Activity": [],
        "Sex Toys": [],
    },
    "Non-Explicit Nudity of Intimate parts and Kissing": {
        "Non-Explicit Nudity": [
            "Bare Back",
            "Exposed Male Nipple",
            "Partially Exposed Buttocks",
            "Partially Exposed Female Breast",
            "Implied Nudity",
        ],
        "Obstructed Intimate Parts": ["Obstructed Female Nipple", "Obstructed Male Genitalia"],
        "Kissing on the Lips": [],
    },
    "Swimwear or Underwear": {
        "Female Swimwear or Underwear": [],
        "Male Swimwear or Underwear": [],
    },
    "Violence": {
        "Weapons": [],
        "Graphic Violence": [
            "Weapon Violence",
            "Physical Violence",
            "Self-Harm",
            "Blood & Gore",
            "Explosions and Blasts",
        ],
    },
    "Visually Disturbing": {
        "Death and Emaciation": ["Emaciated Bodies", "Corpses"],
        "Crashes": ["Air Crash"],
    },
    "Drugs & Tobacco": {
        "Products": ["Pills"],
        "Drugs & Tobacco Paraphernalia & Use": ["Smoking"],
    },
    "Alcohol": {"Alcohol Use": ["Drinking"], "Alcoholic Beverages": []},
    "Rude Gestures": {"Middle Finger": []},
    "Gambling": {},
    "Hate Symbols": {"Nazi Party": [], "White Supremacy": [], "Extremist": []},
}


def _flatten(tree: Mapping[str, Mapping[str, list[str]]]) -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for top, children in tree.items():
        table[top] = ("", 1)
        for child, grandchildren in children.items():
            table[child] = (top, 2)
            for grandchild in grandchildren:
                table[grandchild] = (child, 3)
    return table


TAXONOMY: Final[dict[str, tuple[str, int]]] = _flatten(_TREE)
"""Label name -> (ParentName, TaxonomyLevel)."""


class MetadataError(ValueError):
    """Malformed moderation metadata on an image (a test-data bug, reported per line)."""


def parse_entries(text: str, header: str) -> list[tuple[str, float]]:
    """``"A:1.5;B:20"`` -> ``[("A", 1.5), ("B", 20.0)]``."""
    entries = []
    for raw in text.split(";"):
        if not raw.strip():
            continue
        name, sep, confidence_text = raw.rpartition(":")
        name = name.strip()
        try:
            confidence = float(confidence_text)
        except ValueError:
            confidence = math.nan
        if not sep or not name or not 0 <= confidence <= 100:
            raise MetadataError(
                f"{header}: expected 'Name:Confidence' entries with confidence 0..100 "
                f"separated by ';', got {raw.strip()!r}"
            )
        entries.append((name, confidence))
    return entries


def moderation_labels(metadata: Mapping[str, str], min_confidence: float) -> list[dict[str, Any]]:
    """The ModerationLabels of an image with confidence >= ``min_confidence``."""
    labels = []
    for name, confidence in parse_entries(metadata.get(LABELS_METADATA, ""), LABELS_METADATA):
        if confidence < min_confidence:
            continue
        parent, level = TAXONOMY.get(name, ("", 1))
        labels.append(
            {"Confidence": confidence, "Name": name, "ParentName": parent, "TaxonomyLevel": level}
        )
    return labels


def content_types(metadata: Mapping[str, str]) -> list[dict[str, Any]]:
    """The ContentTypes of an image (``Animated``, ``Illustrated`` in AWS's model 7.0)."""
    entries = parse_entries(metadata.get(CONTENT_TYPES_METADATA, ""), CONTENT_TYPES_METADATA)
    if len(entries) > MAX_CONTENT_TYPES:
        raise MetadataError(f"{CONTENT_TYPES_METADATA}: at most {MAX_CONTENT_TYPES} entries")
    return [{"Confidence": confidence, "Name": name} for name, confidence in entries]
