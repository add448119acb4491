"""The ``rekognition-media`` resource provider plugin: a thin front end on the core.

It serves ``rekognition-media:index:MediaAnalysisJob`` through Pulumi's experimental
Python provider API (``pulumi.provider.experimental``, async methods on
``PropertyValue``s). Every decision -- validation, the replace/update split, the request,
the idempotency token, adopt, refresh, delete and waiting -- is the core's, the same code
the dynamic ``MediaAnalysisJob`` runs (``core.lifecycle``, ``core.changes``,
``core.request``). This module only renames properties (camelCase <-> snake_case),
applies the provider's configuration and runs the core's blocking calls off the event loop.

**Threads.** The core blocks (boto3, and a create waits for its job), so each call runs in
a thread pool of its own; a waiting create holds one thread. The pool is sized for many
jobs waiting at once (``REKOGNITION_MEDIA_PLUGIN_THREADS``, default 256), not Python's
default of a few threads; the jobs of the process share one poller (``core.pollers``).
One plugin process serves every job of a provider (as the dynamic resource's one widened
process does; its "lanes" are a fallback this server never needs); the engine's
``--parallel`` still bounds how many run at once.

**Token scope.** The dynamic resource scopes its derived idempotency tokens with a random
value kept in the stack's state by a sibling resource (``providers.identity``). A plugin's
resource cannot create a sibling, but its *provider* resource has state of its own, and
the engine records the provider before any of its resources: ``check_config`` draws a
random ``stackIdentity`` the first time and keeps the recorded one afterwards (like a
provider's auto-naming), so it lives in the provider's inputs in the state, and a
``pulumi up`` killed while a job waits re-runs with the same value and resumes the job.
The scope of a job's token is ``core.token.token_scope`` of the URN's project, stack
and name and the provider's value (where the dynamic resource has the ``StackIdentity``
value).
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    ConstructRequest,
    ConstructResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime import rpc
from pydantic import ValidationError

from rekognition_media.core import batch, batch_request, cancellation, changes, lifecycle
from rekognition_media.core.request import (
    IDENTITY_FIELDS,
    OUTPUT_FIELDS,
    REQUEST_FIELDS,
    Problem,
    is_sdk_unknown,
)
from rekognition_media.core.token import token_scope

from . import components, convert, engine_log, schema

T = TypeVar("T")

THREADS_ENV = "REKOGNITION_MEDIA_PLUGIN_THREADS"
DEFAULT_THREADS = 256
IDENTITY_KEY = "stackIdentity"
"""The provider input holding the random value that scopes its jobs' tokens."""
_CONFIG_FIELDS = ("region", "endpoint_url")
"""Provider configuration: defaults for the jobs' settings of the same names."""
_BATCH_CONFIG_FIELDS = ("price_per_image_usd",)
"""Provider configuration for batches only: the default of their setting of that name."""


class MediaAnalysisJobPlugin(Provider):
    def __init__(self, threads: int | None = None) -> None:
        self._config: dict[str, Any] = {}
        self._identity: str | None = None
        size = threads or int(os.environ.get(THREADS_ENV, DEFAULT_THREADS))
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="rekognition-media")

    async def _run(self, urn: str, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` in the pool; what it writes to stderr is logged under ``urn``."""
        loop = asyncio.get_running_loop()
        work = functools.partial(engine_log.serving, urn, call, *args)
        return await loop.run_in_executor(self._pool, work)

    # --- the provider itself ------------------------------------------------------

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        import json

        return GetSchemaResponse(json.dumps(schema.package_schema()))

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        news = dict(request.new_inputs)
        failures = [
            CheckFailure("", problem.reason) for problem in _config_problems(convert.to_core(news))
        ]
        if IDENTITY_KEY not in news:
            old = request.old_inputs.get(IDENTITY_KEY)
            # Kept from the state once recorded; drawn once per provider otherwise.
            value = old.value if old is not None and isinstance(old.value, str) else None
            news[IDENTITY_KEY] = PropertyValue(value or secrets.token_hex(16))
        return CheckResponse(inputs=news, failures=failures)

    async def diff_config(self, request: DiffRequest) -> DiffResponse:
        olds, news = convert.to_core(request.old_state), convert.to_core(request.new_inputs)
        changed = [
            convert.camel_case(key)
            for key in _CONFIG_FIELDS
            if _known(olds.get(key)) != _known(news.get(key))
        ]
        # A new default for jobs that set none changes no job: recorded jobs keep theirs, so
        # nothing replaces the provider. `changes` is left unknown and there is no detailed
        # diff: the SDK's DiffConfig (pulumi 3.259-3.272, provider/experimental/server.py) sends
        # the bool as the DiffChanges enum (True would say DIFF_NONE) and fails on any
        # PropertyDiff ('no attribute inputDiff'). On "unknown" the engine compares the old
        # and new configuration itself: an update when they differ, never a replace.
        return DiffResponse(changes=None, replaces=[], diffs=changed)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        args = convert.to_core(request.args)
        self._config = {key: args.get(key) for key in (*_CONFIG_FIELDS, *_BATCH_CONFIG_FIELDS)}
        identity = request.args.get(IDENTITY_KEY)
        self._identity = (
            identity.value
            if identity is not None
            and isinstance(identity.value, str)
            and not is_sdk_unknown(identity.value)
            else None
        )
        # Secrets arrive marked (the core gets plain values): the plugin marks the outputs
        # that derive from them, which the engine cannot know (``secret_outputs``). No
        # resource references or output values.
        # Previews of create and update are answered (create: outputs unknown; update: the
        # job's recorded outputs, which a settings update keeps), so resources that use a
        # job's outputs are not replaced when only its settings change.
        return ConfigureResponse(
            accept_secrets=True,
            supports_preview=True,
            accept_resources=False,
            accept_outputs=False,
        )

    async def cancel(self) -> None:
        # The engine's Cancel (first Ctrl-C): it then waits for the steps in flight, so
        # every waiting create must end now; each fails naming its job, which keeps running
        # and which the next `pulumi up` resumes (its token is derived, not random).
        cancellation.cancel()

    # --- MediaAnalysisJob ---------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        if _is_batch(request.type):
            props = self._effective(convert.to_core(request.new_inputs), batch=True)
            found = await self._run(request.urn, batch.check, props)
            failures = [CheckFailure("", _wire_problem(p).reason) for p in found]
            return CheckResponse(inputs=request.new_inputs, failures=failures)
        _require_job(request.type)
        props = self._effective(convert.to_core(request.new_inputs))
        found = await self._run(request.urn, lifecycle.check, props)
        failures = [CheckFailure("", _wire_problem(p).reason) for p in found]
        return CheckResponse(inputs=request.new_inputs, failures=failures)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        found: changes.Diff
        if _is_batch(request.type):
            found = batch_request.diff(
                convert.to_core(request.old_state), convert.to_core(request.new_inputs)
            )
        else:
            _require_job(request.type)
            olds = changes.with_default_settings(convert.to_core(request.old_state))
            news = changes.with_default_settings(convert.to_core(request.new_inputs))
            found = changes.diff(olds, news)
        detailed = {
            convert.camel_case(key): PropertyDiff(PropertyDiffKind.UPDATE_REPLACE, True)
            for key in found.replaces
        } | {
            convert.camel_case(key): PropertyDiff(PropertyDiffKind.UPDATE, True)
            for key in found.updates
        }
        return DiffResponse(
            changes=found.changes,
            replaces=[convert.camel_case(key) for key in found.replaces],
            diffs=list(detailed),
            detailed_diff=detailed,
            delete_before_replace=changes.DELETE_BEFORE_REPLACE,
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        if _is_batch(request.type):
            return await self._create_batch(request)
        _require_job(request.type)
        declared = convert.to_core(request.properties)
        if request.preview:
            unknown = {key: rpc.UNKNOWN for key in OUTPUT_FIELDS}
            wire = convert.to_wire({**declared, **unknown})
            return CreateResponse(properties=secret_outputs(wire, request.properties))
        props = {
            **self._effective(declared),
            "resource_name": request.name,
            "token_scope": self._token_scope(request.urn),
        }
        created = await self._run(request.urn, lifecycle.create, props)
        outs = {**declared, **{key: created.outputs.get(key) for key in OUTPUT_FIELDS}}
        return CreateResponse(
            resource_id=created.job_id,
            properties=secret_outputs(convert.to_wire(outs), request.properties),
        )

    async def read(self, request: ReadRequest) -> ReadResponse:
        if _is_batch(request.type):
            return await self._read_batch(request)
        _require_job(request.type)
        recorded = convert.to_core(request.properties)
        read = await self._run(
            request.urn, lifecycle.read, request.resource_id, self._effective(recorded)
        )
        if read is None:
            return ReadResponse(resource_id=None)  # the job is gone: it leaves the state
        outs = {
            key: value
            for key, value in read.items()
            if key in recorded or key not in (*_CONFIG_FIELDS, *IDENTITY_FIELDS)
        }
        inputs = dict(request.inputs)
        if not inputs:
            # `pulumi import`: the job's request becomes the inputs.
            inputs = convert.to_wire({k: outs[k] for k in REQUEST_FIELDS if k in outs})
        # The recorded state's secrets (and its inputs') stay secret in what is re-read.
        properties = secret_outputs(convert.to_wire(outs), request.properties, request.inputs)
        properties |= _recorded(request.properties)
        return ReadResponse(resource_id=request.resource_id, properties=properties, inputs=inputs)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        # Makes no AWS call (only settings update in place), so a preview is the real answer.
        olds, news = convert.to_core(request.olds), convert.to_core(request.news)
        if _is_batch(request.type):
            updated = await self._run(request.urn, batch.update, olds, news)
        else:
            _require_job(request.type)
            updated = await self._run(request.urn, lifecycle.update, olds, news)
        wire = convert.to_wire(updated)
        properties = secret_outputs(wire, request.news, request.olds) | _recorded(request.olds)
        return UpdateResponse(properties=properties)

    async def delete(self, request: DeleteRequest) -> None:
        if _is_batch(request.type):
            props = self._effective(convert.to_core(request.properties), batch=True)
            props["resource_name"] = request.urn.rsplit("::", 1)[-1]
            await self._run(request.urn, batch.delete, request.resource_id, props)
            return
        _require_job(request.type)
        props = self._effective(convert.to_core(request.properties))
        await self._run(request.urn, lifecycle.delete, request.resource_id, props)

    # --- MediaAnalysisBatch -------------------------------------------------------

    async def _create_batch(self, request: CreateRequest) -> CreateResponse:
        declared = convert.to_core(request.properties)
        props = {**self._effective(declared, batch=True), "resource_name": request.name}
        if request.preview:
            # What the batch will analyse and cost, said at preview (keys and sizes only).
            found = await self._run(request.urn, batch.estimate, props)
            unknown: dict[str, Any] = {key: rpc.UNKNOWN for key in batch_request.OUTPUT_FIELDS}
            if found is not None:
                unknown["estimated_images"] = found.images
                unknown["estimated_cost_usd"] = found.cost_usd
            wire = convert.to_wire({**declared, **unknown})
            return CreateResponse(properties=secret_outputs(wire, request.properties))
        props["token_scope"] = self._token_scope(request.urn)
        created = await self._run(request.urn, batch.create, props)
        outs = {
            **declared,
            **{key: created.outputs.get(key) for key in batch_request.OUTPUT_FIELDS},
        }
        return CreateResponse(
            resource_id=created.batch_id,
            properties=secret_outputs(convert.to_wire(outs), request.properties),
        )

    async def _read_batch(self, request: ReadRequest) -> ReadResponse:
        recorded = convert.to_core(request.properties)
        props = {
            **self._effective(recorded, batch=True),
            "resource_name": request.urn.rsplit("::", 1)[-1],
        }
        read = await self._run(request.urn, batch.read, request.resource_id, props)
        if read is None:
            return ReadResponse(resource_id=None)
        outs = {
            key: value
            for key, value in read.items()
            if key in recorded
            or key not in (*_CONFIG_FIELDS, *_BATCH_CONFIG_FIELDS, *batch_request.IDENTITY_FIELDS)
        }
        properties = secret_outputs(convert.to_wire(outs), request.properties, request.inputs)
        properties |= _recorded(request.properties)
        return ReadResponse(
            resource_id=request.resource_id, properties=properties, inputs=request.inputs
        )

    # --- the components (components.py) --------------------------------------------

    async def construct(self, request: ConstructRequest) -> ConstructResponse:
        return await components.construct(request)

    # --- helpers --------------------------------------------------------------------

    def _effective(self, props: Mapping[str, Any], batch: bool = False) -> dict[str, Any]:
        """The job's properties with the provider's defaults for region and endpoint (and
        a batch's with its price per image)."""
        merged = dict(props)
        for key in (*_CONFIG_FIELDS, *(_BATCH_CONFIG_FIELDS if batch else ())):
            if merged.get(key) is None and self._config.get(key) is not None:
                merged[key] = self._config[key]
        return merged

    def _token_scope(self, urn: str) -> str:
        if not self._identity:
            raise RuntimeError(
                f"{urn}: the rekognition-media provider has no {IDENTITY_KEY} (its check_config "
                "records one in the state): refusing to start a job with an unscoped token"
            )
        stack, project, _type, name = _urn_parts(urn)
        return token_scope(project, stack, name, self._identity)


_DERIVED_FROM: dict[str, tuple[str, ...]] = {
    # The results' and the summary's object keys start with the output prefix.
    **{
        convert.camel_case(key): ("outputConfig",)
        for key in ("results", "results_uri", "manifest_summary", "manifest_summary_uri")
    },
    # The derived token is a hash of the whole request.
    "requestToken": (*(convert.camel_case(key) for key in REQUEST_FIELDS), "source"),
    # What the job found: the manifest's images, under the operations' threshold.
    "moderationSummary": ("input", "outputConfig", "operationsConfig", "source"),
    # A batch's manifests are under the output prefix; its jobs ran on them.
    "manifestUris": ("outputConfig",),
}
"""Outputs computed from inputs of another name: secret when any of those is."""


def secret_outputs(
    outs: Mapping[str, PropertyValue], *sources: Mapping[str, PropertyValue]
) -> dict[str, PropertyValue]:
    """``outs`` with the secrets of ``sources`` (the inputs, the recorded state) kept.

    A property of the same name as a source's is secret where the source's is (objects
    member by member, as the engine does for plugins that do not accept secrets); an
    output computed from other inputs (``_DERIVED_FROM``) is secret when any of them holds
    a secret -- the engine cannot know that ``resultsUri`` carries ``outputConfig``'s prefix.
    """
    marked = dict(outs)
    for source in sources:
        for key, value in source.items():
            if key in marked:
                marked[key] = _like(marked[key], value)
    for key, inputs in _DERIVED_FROM.items():
        derived = marked.get(key)
        if derived is not None and any(
            source[name].contains_secret()
            for source in sources
            for name in inputs
            if name in source
        ):
            marked[key] = derived.with_secret(True)
    return marked


def _like(out: PropertyValue, source: PropertyValue) -> PropertyValue:
    if out.is_secret or source.is_secret:
        return out.with_secret(True)
    if isinstance(out.value, Mapping) and isinstance(source.value, Mapping):
        given = source.value
        return out.with_value(
            {k: _like(v, given[k]) if k in given else v for k, v in out.value.items()}
        )
    if source.contains_secret():
        return out.with_secret(True)  # a list holding a secret: the whole list
    return out


_VERBATIM = ("moderationSummary",)
"""Outputs kept as recorded once computed: their maps are keyed by data (content types,
label names), which the camelCase <-> snake_case renaming of keys would change."""


def _recorded(properties: Mapping[str, PropertyValue]) -> dict[str, PropertyValue]:
    return {key: properties[key] for key in _VERBATIM if key in properties}


def _urn_parts(urn: str) -> tuple[str, str, str, str]:
    """``urn:pulumi:<stack>::<project>::<type>::<name>`` -> (stack, project, type, name)."""
    head, project, type_, name = urn.split("::", 3)
    return head.split(":", 2)[2], project, type_, name


def _is_batch(type_: str) -> bool:
    return type_.split("$")[-1] == schema.BATCH_TYPE


def _require_job(type_: str) -> None:
    if type_.split("$")[-1] != schema.JOB_TYPE:
        raise ValueError(f"rekognition-media: unknown resource type {type_!r}")


def _known(value: Any) -> Any:
    return None if is_sdk_unknown(value) else value


def _config_problems(config: Mapping[str, Any]) -> list[Problem]:
    fields = (*_CONFIG_FIELDS, *_BATCH_CONFIG_FIELDS)
    given = {k: v for k, v in config.items() if k in fields and not is_sdk_unknown(v)}
    try:
        batch_request.BatchSettings.from_props(given)
    except ValidationError as exc:
        return [
            _wire_problem(Problem(".".join(map(str, e["loc"])), e["input"], e["msg"]))
            for e in exc.errors()
        ]
    return []


def _wire_problem(problem: Problem) -> Problem:
    """The core's problem, with property names as the program spells them (camelCase)."""
    rule = problem.rule
    if rule.startswith("unknown property"):
        # "did you mean 'min_confidence'?" / "known: a, b": name them as the user would.
        head, _, names = rule.partition("; ")
        names = convert.camel_names(names)
        rule = f"{head}; {names}" if names else head
    return Problem(convert.wire_path(problem.path), problem.value, rule)
