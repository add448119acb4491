"""The four Python components as multi-language components of the ``rekognition-media`` plugin.

``rekognition-media:index:MediaAnalysisKey``, ``EncryptedBucket``, ``MediaAnalysisAccess``
and ``MediaAnalysisPipeline``: the classes of ``rekognition_media.components``, constructed
in the plugin for a program in any language. Three modules, imported one way:

* ``component_schema.py``: the components' declaration and schema, derived from their
  source;
* ``component_values.py``: a component's inputs checked and converted to its Args'
  values, its outputs converted back;
* this module: ``construct``, and the classes as the plugin serves them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

import pulumi
from pulumi.errors import InputPropertiesError
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import ConstructRequest, ConstructResponse
from pulumi.runtime import rpc

from rekognition_media.api.casing import camel_case, snake_case
from rekognition_media.api.resources import PLUGIN_JOB_TYPE_TOKEN

from .component_schema import Component, components
from .component_values import Incomplete, Inputs, args_error, state_value, urn

if TYPE_CHECKING:
    from rekognition_media.components.access import MediaAnalysisAccess
    from rekognition_media.components.bucket import EncryptedBucket
    from rekognition_media.components.key import MediaAnalysisKey
    from rekognition_media.components.pipeline import MediaAnalysisPipeline


async def construct(request: ConstructRequest) -> ConstructResponse:
    token = request.resource_type.split("$")[-1]
    component = next((c for c in components().values() if c.token == token), None)
    if component is None:
        raise InputPropertiesError(f"rekognition-media: unknown component type {token!r}")
    checker = Inputs(component)
    try:
        kwargs: dict[str, Any] | None = checker.convert(request.inputs)
    except Incomplete:
        kwargs = None  # preview: which resources exist is not known yet

    resource: pulumi.ComponentResource
    if kwargs is None:
        resource = pulumi.ComponentResource(token, request.name, None, opts=request.options)
        resource.register_outputs({})
        unknown = {f.wire: PropertyValue(rpc.UNKNOWN) for f in component.outputs}
        return ConstructResponse(await urn(resource), unknown, {})

    module = _module(component)
    try:
        args = getattr(module, f"{component.name}Args")(**kwargs)
        resource = _served_class(component.name)(request.name, args, request.options)
    except ValueError as error:
        raise args_error(component, error, request.inputs) from None

    state: dict[str, PropertyValue] = {}
    deps: dict[str, set[str]] = {}
    for field in component.outputs:
        try:
            value = await state_value(getattr(resource, field.python))
        except ValueError as error:  # an Args rule applied to a value known only now
            raise args_error(component, error, request.inputs) from None
        if value is not None:
            state[field.wire] = value
            deps[field.wire] = set(value.dependencies)
    return ConstructResponse(await urn(resource), state, deps)


def _module(component: Component) -> Any:
    # Imported here, not at the top: pulumi-aws and the components load only in a plugin
    # that constructs a component (a stack of jobs never pays for them).
    import importlib

    return importlib.import_module(f"rekognition_media.components.{component.module}")


@functools.cache
def _served_class(name: str) -> Callable[..., pulumi.ComponentResource]:
    """The component's class as the plugin serves it: its outputs recorded in the state
    under their camelCase names (the Python class records snake_case ones), and for the
    pipeline, the plugin's job resource as its job and served classes as its children (why:
    plugin/README.md, "How the components are served")."""
    component = components()[name]
    base: type[pulumi.ComponentResource] = getattr(_module(component), name)
    if name == "MediaAnalysisPipeline":
        base = _pipeline_class()

    def register_outputs(self: pulumi.ComponentResource, outputs: Any) -> None:
        # The class calls this once, last in its constructor: every output is set.
        declared = {f.wire: getattr(self, f.python) for f in component.outputs}
        pulumi.ComponentResource.register_outputs(
            self, {k: v for k, v in declared.items() if v is not None}
        )

    return type(name, (base,), {"register_outputs": register_outputs, "__module__": __name__})


def _pipeline_class() -> type[MediaAnalysisPipeline]:
    from rekognition_media.components.pipeline import MediaAnalysisPipeline, PipelineJob

    class PluginPipeline(MediaAnalysisPipeline):
        _key_class = cast("type[MediaAnalysisKey]", _served_class("MediaAnalysisKey"))
        _bucket_class = cast("type[EncryptedBucket]", _served_class("EncryptedBucket"))
        _access_class = cast("type[MediaAnalysisAccess]", _served_class("MediaAnalysisAccess"))

        def _new_job(self, name: str, args: _JobArgs, opts: pulumi.ResourceOptions) -> PipelineJob:
            return PluginJob(name, args, opts)

    return PluginPipeline


class _JobArgs(Protocol):
    """The pipeline's ``MediaAnalysisJobArgs`` (the dynamic front end's class, which the
    plugin never imports), as the plugin reads them."""

    def to_props(self) -> dict[str, Any]: ...


class PluginJob(pulumi.CustomResource):
    """``rekognition-media:index:MediaAnalysisJob`` from Python: the pipeline's
    ``MediaAnalysisJobArgs``, sent in camelCase; the outputs the pipeline reads."""

    job_id: pulumi.Output[str]
    status: pulumi.Output[str]
    results_uri: pulumi.Output[str | None]
    manifest_summary_uri: pulumi.Output[str | None]

    def __init__(self, name: str, args: _JobArgs, opts: pulumi.ResourceOptions) -> None:
        props: dict[str, Any] = {k: v for k, v in args.to_props().items() if v is not None}
        props.update(job_id=None, status=None, results_uri=None, manifest_summary_uri=None)
        super().__init__(PLUGIN_JOB_TYPE_TOKEN, name, props, opts)

    def translate_input_property(self, prop: str) -> str:
        return camel_case(prop)

    def translate_output_property(self, prop: str) -> str:
        return snake_case(prop)
