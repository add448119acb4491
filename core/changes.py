"""What a change to a job's inputs does: replace the job, update the resource, or nothing.

A job is immutable and lives in one region: a changed request member, region or adopted
job id is another job (replace); a changed behaviour setting (``request.SETTINGS``) updates
the resource in place without an AWS call. Both front ends ask ``diff`` and answer the
engine with its result; the dynamic resource's program side uses ``DELETE_BEFORE_REPLACE``
too, so this module imports nothing of the provider process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .request import (
    ADOPT_FIELD,
    REQUEST_FIELDS,
    SETTINGS,
    JobSettings,
    is_sdk_unknown,
    normalise,
    strip_unknowns,
)

REPLACE_ON = (*REQUEST_FIELDS, "region", ADOPT_FIELD)
"""Properties whose change replaces the job."""

DELETE_BEFORE_REPLACE = True
"""The old resource goes first when a job is replaced: nothing is lost, as Rekognition
keeps the job, and its outputs are deleted (when they are to be, ``delete_outputs_on_destroy``)
before the replacement starts -- never after it could have adopted the same job (the same
request derives the same token: see ``lifecycle``)."""


@dataclass(frozen=True)
class Diff:
    replaces: tuple[str, ...]
    """Properties that changed and replace the job."""
    updates: tuple[str, ...]
    """Settings that changed and update the resource in place."""
    replace_on: tuple[str, ...] = REPLACE_ON
    """The properties whose change replaces the resource (a batch has its own)."""

    @property
    def changes(self) -> bool:
        return bool(self.replaces or self.updates)

    @property
    def stables(self) -> tuple[str, ...]:
        """Replace-on properties that did not change."""
        return tuple(key for key in self.replace_on if key not in self.replaces)


def diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Diff:
    """The replaces and updates between the recorded properties and the new inputs."""
    replaces = [key for key in REPLACE_ON if changed(olds.get(key), news.get(key))]
    if news.get("client_request_token") is None and "client_request_token" in replaces:
        # Derived (not declared): it changes only with the request, which is compared.
        replaces.remove("client_request_token")
    updates = [key for key in SETTINGS if changed(olds.get(key), news.get(key))]
    return Diff(tuple(replaces), tuple(updates))


def with_default_settings(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` with an absent setting as its default (the dynamic resource's inputs
    always carry every setting, the plugin's carry what the program declares): a setting
    left out and the same setting at its default are no change."""
    merged = dict(props)
    for key in SETTINGS:
        if merged.get(key) is None:
            merged[key] = JobSettings.model_fields[key].default
    return merged


def changed(old: Any, new: Any) -> bool:
    """Whether a property changed: an unknown new value counts as a change."""
    if is_sdk_unknown(new):
        return True
    return bool(normalise(strip_unknowns(old)) != normalise(strip_unknowns(new)))
