"""``MediaAnalysisJob``: a Rekognition media analysis job as a Python dynamic resource.

The dynamic front end of the job's core (``lifecycle``, with ``changes`` and ``request``):
what each Pulumi verb does to a job is written there, once for both front ends. This module
runs in two processes. The user's program imports it for ``MediaAnalysisJob``, whose
``__init__`` chooses its provider (``lanes``: one process for every job, or a lane),
scopes its token with the stack's identity (``identity``) and pickles a
``MediaAnalysisJobProvider`` into the state; the provider process unpickles it and runs
the verbs, which hand the properties (the state's snake_case dicts, the core's own shape)
to the core and wrap its answers in the SDK's result types.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from rekognition_media.api.resources import JOB_RESOURCE, JOB_TYPE_TOKEN, PROVIDER_MODULE
from rekognition_media.core import changes
from rekognition_media.core.request import OUTPUT_FIELDS, problems
from rekognition_media.core.token import token_scope

from . import identity, lanes
from .args import MediaAnalysisJobArgs, as_props
from .serving import serving

TYPE_TOKEN = JOB_TYPE_TOKEN
OUTPUTS = OUTPUT_FIELDS


def _lifecycle() -> ModuleType:
    # Creating, reading and deleting jobs (with the Start and the pollers behind them) run
    # in the provider process only: the program, which imports this module for the
    # resource class, never loads them (tests/providers/test_program_side.py).
    from rekognition_media.core import lifecycle

    return lifecycle


class MediaAnalysisJobProvider(ResourceProvider):
    """The dynamic provider. It holds no state: it is pickled into the Pulumi state."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        serving()
        # Failures name no property: the engine would print that property's whole value
        # next to ours (however long); the reason starts with the property path instead.
        failures = [CheckFailure("", p.reason) for p in problems(news)]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        serving()
        found = changes.diff(olds, news)
        return DiffResult(
            changes=found.changes,
            replaces=list(found.replaces),
            stables=list(found.stables),
            delete_before_replace=changes.DELETE_BEFORE_REPLACE,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        serving()
        created = _lifecycle().create(props)
        return CreateResult(created.job_id, {**props, **created.outputs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        serving()
        outs = _lifecycle().read(id_, props)
        return ReadResult(None, {}) if outs is None else ReadResult(id_, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        serving()
        return UpdateResult(_lifecycle().update(olds, news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        serving()
        _lifecycle().delete(_id, props)


class MediaAnalysisJob(pulumi.dynamic.Resource, module=PROVIDER_MODULE, name=JOB_RESOURCE):
    """A Rekognition media analysis job that ``pulumi up`` runs to completion."""

    job_id: pulumi.Output[str]
    status: pulumi.Output[str]
    failure_details: pulumi.Output[dict[str, Any] | None]
    creation_timestamp: pulumi.Output[str]
    completion_timestamp: pulumi.Output[str | None]
    results: pulumi.Output[dict[str, Any] | None]
    manifest_summary: pulumi.Output[dict[str, Any] | None]
    results_uri: pulumi.Output[str | None]
    manifest_summary_uri: pulumi.Output[str | None]
    manifest_statistics: pulumi.Output[dict[str, int] | None]
    moderation_summary: pulumi.Output[dict[str, Any] | None]
    request_token: pulumi.Output[str | None]
    started_by_stack: pulumi.Output[bool]
    job_name: pulumi.Output[str | None]
    operations_config: pulumi.Output[dict[str, Any]]
    input: pulumi.Output[dict[str, Any]]
    output_config: pulumi.Output[dict[str, Any]]
    kms_key_id: pulumi.Output[str | None]
    client_request_token: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: MediaAnalysisJobArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = as_props(args)
        props.update({name: None for name in OUTPUTS})
        # The provider's messages name the resource (create is not told its URN).
        props["resource_name"] = resource_name
        project, stack = pulumi.get_project(), pulumi.get_stack()
        # apply, not concat: under Pulumi's mocks the identity may have no value.
        props["token_scope"] = identity.stack_identity().apply(
            lambda value: token_scope(project, stack, resource_name, value)
        )
        opts = lanes.assign_provider(resource_name, opts)
        if opts.delete_before_replace is None:
            # A job is replaced by a new job: see changes.DELETE_BEFORE_REPLACE.
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(delete_before_replace=changes.DELETE_BEFORE_REPLACE)
            )
        super().__init__(MediaAnalysisJobProvider(), resource_name, props, opts)
