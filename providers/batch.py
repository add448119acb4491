"""``MediaAnalysisBatch``: a bucket prefix analysed by media analysis jobs, as a Python
dynamic resource.

The dynamic front end of the batch's core (``core.batch``, with ``core.batch_request``):
what each verb does is written there, once for both front ends. As ``job`` does for a
job, the resource's ``__init__`` chooses its provider (``lanes``: the one process every
job shares, or a lane), scopes its token with the stack's identity and pickles a
``MediaAnalysisBatchProvider`` into the state.

**Preview.** The engine calls a dynamic provider's ``check`` at preview and at update
alike, without saying which, and never its ``create`` at preview; so the program tells
it: ``in_preview`` (``pulumi.runtime.is_dry_run()``, an identity field diff ignores).
At preview, ``check`` of a batch to be created (or replaced) counts the images under the
prefix and prints the estimate; a prefix over ``max_images`` fails the preview.
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

from rekognition_media.api.resources import BATCH_RESOURCE, BATCH_TYPE_TOKEN, PROVIDER_MODULE
from rekognition_media.core import batch_request, changes
from rekognition_media.core.token import token_scope

from . import identity, lanes
from .args import MediaAnalysisBatchArgs, batch_props
from .serving import serving

BATCH_TYPE = BATCH_TYPE_TOKEN


def _batch() -> ModuleType:
    # Listing, starting and waiting run in the provider process only (see job._lifecycle).
    from rekognition_media.core import batch

    return batch


class MediaAnalysisBatchProvider(ResourceProvider):
    """The dynamic provider of batches. It holds no state: it is pickled into the state."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        serving()
        failures = [CheckFailure("", p.reason) for p in batch_request.batch_problems(news)]
        # The old inputs are empty for a batch to be created; a replaced one is new too.
        new_batch = not olds or bool(batch_request.diff(olds, news).replaces)
        if not failures and news.get("in_preview") and new_batch:
            batch = _batch()
            try:
                batch.estimate(news)
            except batch.TooManyImages as over:
                failures.append(CheckFailure("", str(over)))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        serving()
        found = batch_request.diff(olds, news)
        return DiffResult(
            changes=found.changes,
            replaces=list(found.replaces),
            stables=list(found.stables),
            delete_before_replace=changes.DELETE_BEFORE_REPLACE,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        serving()
        created = _batch().create(props)
        return CreateResult(created.batch_id, {**props, **created.outputs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        serving()
        outs = _batch().read(id_, props)
        return ReadResult(None, {}) if outs is None else ReadResult(id_, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        serving()
        return UpdateResult(_batch().update(olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        serving()
        _batch().delete(id_, props)


class MediaAnalysisBatch(pulumi.dynamic.Resource, module=PROVIDER_MODULE, name=BATCH_RESOURCE):
    """A bucket prefix analysed by media analysis jobs, one per 10,000 images, that
    ``pulumi up`` runs to completion."""

    job_ids: pulumi.Output[list[str]]
    manifest_uris: pulumi.Output[list[str]]
    images_listed: pulumi.Output[int]
    images_skipped: pulumi.Output[dict[str, int]]
    status: pulumi.Output[str]
    shard_statuses: pulumi.Output[list[str]]
    manifest_statistics: pulumi.Output[dict[str, int] | None]
    moderation_summary: pulumi.Output[dict[str, Any] | None]
    estimated_images: pulumi.Output[int]
    estimated_cost_usd: pulumi.Output[float]
    request_token: pulumi.Output[str]
    started_by_stack: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        args: MediaAnalysisBatchArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = batch_props(args)
        props.update({name: None for name in batch_request.OUTPUT_FIELDS})
        props["resource_name"] = resource_name
        props["in_preview"] = pulumi.runtime.is_dry_run()
        project, stack = pulumi.get_project(), pulumi.get_stack()
        props["token_scope"] = identity.stack_identity().apply(
            lambda value: token_scope(project, stack, resource_name, value)
        )
        opts = lanes.assign_provider(resource_name, opts)
        if opts.delete_before_replace is None:
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(delete_before_replace=changes.DELETE_BEFORE_REPLACE)
            )
        super().__init__(MediaAnalysisBatchProvider(), resource_name, props, opts)
