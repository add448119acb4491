"""The four Python components as multi-language components of the ``rekognition-media`` plugin.

``rekognition-media:index:MediaAnalysisKey``, ``EncryptedBucket``, ``MediaAnalysisAccess``
and ``MediaAnalysisPipeline``: the classes of ``rekognition_media.components``, constructed
in the plugin for a program in any language.

**One declaration.** ``DECLARED`` names the four components; everything else is derived
from their source: the inputs are the fields of ``<Name>Args`` (names in camelCase, types
from the annotations, descriptions from the fields' docstrings, required = no default),
the outputs are the class's ``pulumi.Output`` attributes. The source is *parsed*, not
imported, so ``get_schema`` (which the YAML host asks for on every run, also for stacks
that only use jobs) loads neither pulumi-aws nor the components; ``construct`` imports
them when a component is first constructed. The same derived ``Field``s check the inputs
and turn them into the Args' values, so the schema and the mapping cannot disagree.

Why it is built so (rather than on the SDK's own component machinery), and why outputs
are strings: plugin/README.md, "How the components are served".

**Values.** An input arrives as a ``PropertyValue`` with its secret flag, the URNs it
depends on and, at preview, unknown parts. Where the Args field accepts a
``pulumi.Input`` it becomes an ``Output`` carrying all three (a plain value when it has
none of them, so the Args validate it at once). Fields the component reads as plain
values (``deletion_window_in_days``, ``partition``, ``input_objects``,
``manifest_image_keys``...) decide which resources exist: unknown at preview, the
component is previewed without children and all its outputs unknown. Outputs go back with
their secret flag and the URNs of the resources they come from; unknown ones as the SDK's
unknown sentinel (``PropertyValue.computed()`` does not marshal).

**Errors** (unknown property, wrong type, missing required, an Args rule) are raised as
``pulumi.errors.InputPropertiesError``, which the SDK's server turns into an
invalid-argument status the engine prints without a traceback; each names the component,
the camelCase path, the value and the rule.
"""

from __future__ import annotations

import ast
import base64
import binascii
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any, Protocol, cast

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.output import UNKNOWN
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import ConstructRequest, ConstructResponse
from pulumi.runtime import rpc

from rekognition_media.api.casing import camel_case, camel_names, snake_case
from rekognition_media.api.messages import did_you_mean
from rekognition_media.api.resources import COMPONENT_TYPE_TOKENS, PLUGIN_JOB_TYPE_TOKEN

from .convert import is_unknown

if TYPE_CHECKING:
    from rekognition_media.components.access import MediaAnalysisAccess
    from rekognition_media.components.bucket import EncryptedBucket
    from rekognition_media.components.key import MediaAnalysisKey
    from rekognition_media.components.pipeline import MediaAnalysisPipeline

DECLARED: dict[str, str] = {
    "MediaAnalysisKey": "key",
    "EncryptedBucket": "bucket",
    "MediaAnalysisAccess": "access",
    "MediaAnalysisPipeline": "pipeline",
}
"""Component class -> its module in ``rekognition_media.components`` (Args: ``<Name>Args``)."""

_SCALARS = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
_BYTES_NOTE = "Base64-encoded contents (`bytes` in Python)."


@dataclass(frozen=True)
class Shape:
    """A value's type as the schema and the conversion see it.

    ``kind`` is a schema type (``string``, ``integer``, ``number``, ``boolean``, ``array``,
    ``map``) or ``bytes`` (a base64 string on the wire); ``item`` the element of an array
    or map; ``takes_output`` whether the Args accept a ``pulumi.Input`` here (else the
    component reads the plain value).
    """

    kind: str
    item: Shape | None = None
    takes_output: bool = False

    def spec(self) -> dict[str, Any]:
        if self.kind == "array":
            assert self.item is not None
            return {"type": "array", "items": self.item.spec()}
        if self.kind == "map":
            assert self.item is not None
            return {"type": "object", "additionalProperties": self.item.spec()}
        return {"type": "string" if self.kind == "bytes" else self.kind}

    def rule(self) -> str:
        if self.kind == "array":
            assert self.item is not None
            return f"a list of {self.item.rule()}s"
        if self.kind == "map":
            assert self.item is not None
            return f"a map of {self.item.rule()}s"
        return {
            "bytes": "base64 string",
            "integer": "whole number",
            "boolean": "boolean",
            "number": "number",
        }.get(self.kind, self.kind)


@dataclass(frozen=True)
class Field:
    python: str
    shape: Shape
    required: bool
    description: str
    default: str | int | float | bool | None = None
    """The Args field's default when it is a scalar (the schema's ``default``)."""

    @property
    def wire(self) -> str:
        return camel_case(self.python)

    def spec(self) -> dict[str, Any]:
        spec = self.shape.spec()
        doc = self.description
        if self.shape.kind == "bytes" or (self.shape.item and self.shape.item.kind == "bytes"):
            doc = f"{doc} {_BYTES_NOTE}".strip()
        if doc:
            spec["description"] = doc
        if self.default is not None:
            spec["default"] = self.default
        return spec


@dataclass(frozen=True)
class Component:
    name: str
    module: str
    description: str
    inputs: tuple[Field, ...]
    outputs: tuple[Field, ...]

    @property
    def token(self) -> str:
        return COMPONENT_TYPE_TOKENS[self.name]

    def resource_spec(self) -> dict[str, Any]:
        return {
            "isComponent": True,
            "description": self.description,
            "inputProperties": {f.wire: f.spec() for f in self.inputs},
            "requiredInputs": [f.wire for f in self.inputs if f.required],
            "properties": {f.wire: f.spec() for f in self.outputs},
            "required": [f.wire for f in self.outputs if f.required],
        }


# --- deriving the declaration from the source ---------------------------------------------


_DOUBLE_TICKS = re.compile(r"``(.+?)``")
_PROPERTY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def _doc(text: str) -> str:
    """A docstring as a schema description: one paragraph, Markdown code spans, the
    properties it names in camelCase (``existing_bucket_name`` -> `existingBucketName`)."""

    def code(match: re.Match[str]) -> str:
        # A property name only (``documents.access_policy_document`` is Python's).
        name = match[1]
        return f"`{camel_case(name) if _PROPERTY.fullmatch(name) else name}`"

    return _DOUBLE_TICKS.sub(code, " ".join(text.split()))


def _unparse(node: ast.expr) -> str:
    return ast.unparse(node)


def _optional(node: ast.expr) -> tuple[ast.expr, bool]:
    """``X | None`` -> (X, True); anything else -> (node, False)."""
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.BitOr)
        and isinstance(node.right, ast.Constant)
        and node.right.value is None
    ):
        return node.left, True
    return node, False


def _subscript(node: ast.expr, *names: str) -> ast.expr | None:
    """The argument of ``name[...]`` when ``node`` is one of ``names`` subscripted."""
    if isinstance(node, ast.Subscript) and _unparse(node.value) in names:
        return node.slice
    return None


def _shape(node: ast.expr, where: str) -> Shape:
    node, _ = _optional(node)
    inner = _subscript(node, "pulumi.Input", "Input")
    if inner is not None:
        shape = _shape(inner, where)
        return Shape(shape.kind, shape.item, takes_output=True)
    item = _subscript(node, "Sequence", "list")
    if item is not None:
        return Shape("array", _shape(item, where))
    pair = _subscript(node, "Mapping", "dict")
    if isinstance(pair, ast.Tuple) and _unparse(pair.elts[0]) == "str":
        return Shape("map", _shape(pair.elts[1], where))
    name = _unparse(node)
    if name in _SCALARS:
        return Shape(_SCALARS[name])
    if name == "bytes":
        return Shape("bytes")
    # Fails loudly (tests, and `pulumi package get-schema`) when a component gains a field
    # of a type the plugin cannot carry, rather than leaving it out of the schema.
    raise TypeError(f"{where}: no schema type for the annotation {name!r}")


def _default(node: ast.expr | None, constants: Mapping[str, Any]) -> Any:
    """A field's default when it is a scalar literal or a module constant holding one;
    ``None`` for none, ``None`` itself and the containers (``field(default_factory=...)``)."""
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool):
        return node.value
    return None


def _constants(folder: Traversable, module: str) -> dict[str, Any]:
    """A module's scalar constants: ``NAME = <literal>`` at the top level, and the ones it
    imports from a sibling module (``from .key import MIN_DELETION_WINDOW_DAYS``)."""
    tree = ast.parse((folder / f"{module}.py").read_text(encoding="utf-8"))
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            imported = _constants(folder, node.module)
            found.update(
                {a.asname or a.name: imported[a.name] for a in node.names if a.name in imported}
            )
        target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = _default(getattr(node, "value", None), {})
        if isinstance(target, ast.Name) and target.id.isupper() and value is not None:
            found[target.id] = value
    return found


def _fields(
    body: list[ast.stmt], where: str, outputs: bool, constants: Mapping[str, Any]
) -> tuple[Field, ...]:
    found: list[Field] = []
    for i, stmt in enumerate(body):
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        after = body[i + 1] if i + 1 < len(body) else None
        doc = (
            _doc(after.value.value)
            if isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
            else ""
        )
        name = stmt.target.id
        annotation, optional = _optional(stmt.annotation)
        if outputs:
            inner = _subscript(annotation, "pulumi.Output")
            if inner is None:
                continue  # pulumi-aws resources and child components: not exposed (above)
            inner, inner_optional = _optional(inner)
            shape = _shape(inner, f"{where}.{name}")
            found.append(Field(name, shape, not (optional or inner_optional), doc))
        else:
            shape = _shape(stmt.annotation, f"{where}.{name}")
            default = _default(stmt.value, constants)
            found.append(Field(name, shape, stmt.value is None, doc, default))
    return tuple(found)


def _class(tree: ast.Module, name: str) -> ast.ClassDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise LookupError(f"class {name} not found")


@functools.cache
def components() -> dict[str, Component]:
    """Component name -> its declaration, derived from the components' source."""
    folder = resources.files("rekognition_media") / "components"
    found: dict[str, Component] = {}
    for name, module in DECLARED.items():
        tree = ast.parse((folder / f"{module}.py").read_text(encoding="utf-8"))
        cls, args = _class(tree, name), _class(tree, f"{name}Args")
        constants = _constants(folder, module)
        found[name] = Component(
            name=name,
            module=module,
            description=_doc(ast.get_docstring(cls) or ""),
            inputs=_fields(args.body, f"{name}Args", outputs=False, constants=constants),
            outputs=_fields(cls.body, name, outputs=True, constants=constants),
        )
    return found


def resource_specs() -> dict[str, dict[str, Any]]:
    """The components' entries of the package schema's ``resources``."""
    return {c.token: c.resource_spec() for c in components().values()}


# --- inputs --------------------------------------------------------------------------------


class _Incomplete(Exception):
    """A value the component reads as plain data is unknown (preview)."""


def _has_unknowns(pv: PropertyValue) -> bool:
    inner = pv.value
    if is_unknown(inner):
        return True
    if isinstance(inner, Mapping):
        return any(_has_unknowns(v) for v in inner.values())
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return any(_has_unknowns(v) for v in inner)
    return False


class _Inputs:
    """Checks one component's inputs and converts them to the Args' keyword arguments."""

    def __init__(self, component: Component) -> None:
        self.component = component
        self.errors: list[InputPropertyErrorDetails] = []

    def fail(self, path: str, value: Any, rule: str) -> None:
        shown = "<missing>" if value is _MISSING else repr(value)
        self.errors.append(
            {
                "property_path": path,
                "reason": f"{self.component.token}: {path} = {shown}: {rule}",
            }
        )

    def convert(self, inputs: Mapping[str, PropertyValue]) -> dict[str, Any]:
        by_wire = {f.wire: f for f in self.component.inputs}
        kwargs: dict[str, Any] = {}
        for key, pv in inputs.items():
            field = by_wire.get(key)
            if field is None:
                hint = did_you_mean(key, by_wire)
                self.fail(key, _plain(pv), f"unknown property; {hint}")
                continue
            if pv.value is None:
                continue  # null: the field's default, as an absent property
            if self._check(pv, field.shape, key):
                kwargs[field.python] = pv
        for field in self.component.inputs:
            if field.required and field.wire not in kwargs:
                self.fail(field.wire, _MISSING, "required")
        self.raise_errors()
        # Converted only once every value has its type: _Incomplete must not hide an error.
        return {
            name: self._value(pv, _field(self.component, name).shape, camel_case(name))
            for name, pv in kwargs.items()
        }

    def raise_errors(self) -> None:
        if self.errors:
            raise InputPropertiesError(_invalid(len(self.errors)), self.errors)

    def _check(self, pv: PropertyValue, shape: Shape, path: str) -> bool:
        inner = pv.value
        if is_unknown(inner):
            return True
        items: list[tuple[str, PropertyValue]] | None = None
        if shape.kind == "map" and isinstance(inner, Mapping):
            items = [(f'{path}["{k}"]', v) for k, v in inner.items()]
        elif shape.kind == "array" and isinstance(inner, Sequence) and not isinstance(inner, str):
            items = [(f"{path}[{i}]", v) for i, v in enumerate(inner)]
        if items is not None:
            assert shape.item is not None
            item = shape.item
            return all([self._check(v, item, where) for where, v in items])  # every error
        ok = _scalar_ok(inner, shape.kind)
        if not ok:
            self.fail(path, _plain(pv), f"must be a {shape.rule()}")
        return ok

    def _value(self, pv: PropertyValue, shape: Shape, path: str) -> Any:
        if shape.takes_output:
            if pv.is_secret or pv.all_dependencies() or _has_unknowns(pv) or pv.contains_secret():
                return _output(pv, shape)
            return _python(pv.value, shape)
        # The component reads this value as plain data.
        if is_unknown(pv.value):
            raise _Incomplete(path)
        if shape.kind in ("array", "map") and shape.item is not None:
            item = shape.item
            # The container's own secret flag and dependencies go to its elements, where
            # the Args accept Outputs (tags' values). A plain element cannot carry them: a
            # secret is refused below; dependencies are dropped, which changes no order
            # (the program sends the component's inputs only once they are resolved, and
            # the engine records the component's own dependencies on them).
            inner = pv.value
            if isinstance(inner, Mapping):
                return {
                    k: self._value(_inherit(v, pv), item, f'{path}["{k}"]')
                    for k, v in inner.items()
                }
            assert isinstance(inner, Sequence) and not isinstance(inner, str)
            return [self._value(_inherit(v, pv), item, f"{path}[{i}]") for i, v in enumerate(inner)]
        if pv.is_secret:
            self.fail(
                path,
                "[secret]",
                "cannot be a secret: the component reads it as plain data "
                "(it decides which resources are created)",
            )
            self.raise_errors()
        return _python(pv.value, shape)


_MISSING = object()


def _scalar_ok(value: Any, kind: str) -> bool:
    if kind in ("string", "bytes"):
        if not isinstance(value, str):
            return False
        if kind == "bytes":
            try:
                base64.b64decode(value, validate=True)
            except binascii.Error:
                return False
        return True
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, float) and value.is_integer()
    if kind == "number":
        return isinstance(value, float)
    return False  # an array or map that is not one


def _field(component: Component, python: str) -> Field:
    return next(f for f in component.inputs if f.python == python)


def _inherit(item: PropertyValue, container: PropertyValue) -> PropertyValue:
    return PropertyValue(
        item.value,
        is_secret=item.is_secret or container.is_secret,
        dependencies=item.dependencies | container.dependencies,
    )


def _plain(pv: PropertyValue) -> Any:
    """A wire value as plain Python (for messages); secrets are not shown."""
    if pv.is_secret:
        return "[secret]"
    inner = pv.value
    if isinstance(inner, Mapping):
        return {k: _plain(v) for k, v in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [_plain(v) for v in inner]
    return rpc.UNKNOWN if isinstance(inner, Computed) else inner


def _python(value: Any, shape: Shape) -> Any:
    """A type-checked wire value (nested ``PropertyValue``s) as the Args' Python value."""
    if isinstance(value, PropertyValue):
        value = value.value
    if is_unknown(value):
        # The SDK's own unknown: an Output holding it is unknown (rpc.contains_unknowns
        # does not recognise the wire's sentinel string).
        return UNKNOWN
    if value is None:
        return None
    if shape.kind == "bytes":
        return base64.b64decode(value)
    if shape.kind == "integer":
        return int(value)
    if shape.kind in ("array", "map"):
        assert shape.item is not None
        item = Shape(shape.item.kind, shape.item.item)
        if isinstance(value, Mapping):
            return {k: _python(v, item) for k, v in value.items()}
        return [_python(v, item) for v in value]
    return value


def _output(pv: PropertyValue, shape: Shape) -> pulumi.Output[Any]:
    """An Output with the value's secret flag, dependencies and unknown-ness (as the SDK's
    own construct path does, pulumi.provider.experimental.server._select_value)."""
    from pulumi.resource import DependencyResource

    value = _python(pv.value, Shape(shape.kind, shape.item))
    deps: set[pulumi.Resource] = {DependencyResource(urn) for urn in pv.all_dependencies()}
    return pulumi.Output(
        deps,
        _resolved(value),
        _resolved(not rpc.contains_unknowns(value)),
        _resolved(pv.contains_secret()),
    )


async def _resolved(value: Any) -> Any:
    return value


_ARGS_ERROR = re.compile(r"^(?:\w+Args\.)?(?P<path>[\w/, ]+): got (?P<rest>.*)$", re.S)


def _args_error(
    component: Component, error: ValueError, inputs: Mapping[str, PropertyValue]
) -> InputPropertiesError:
    """An Args rule's ``ValueError("<Args>.<field>: got <value>, <rule>")`` with camelCase
    names, as the engine shows input errors. The value is not shown when it may be a
    secret: its property is one, or the message names a nested component's argument (the
    pipeline's) while some input is one."""
    text = str(error)
    match = _ARGS_ERROR.match(text)
    if match is None:
        path, reason = "", f"{component.token}: {text}"
    else:
        path = camel_names(match["path"])
        value, _, rule = match["rest"].partition(", ")
        rule = camel_names(rule)  # not the value: it is shown as given
        names = re.split(r"[/, ]+", path)
        known = {f.wire for f in component.inputs}
        if any(
            inputs[n].contains_secret() if n in inputs else n not in known for n in names
        ) and any(v.contains_secret() for v in inputs.values()):
            value = "[secret]"
        reason = f"{component.token}: {path} = {value}: {rule}"
    return InputPropertiesError(_invalid(1), [{"property_path": path, "reason": reason}])


def _invalid(count: int) -> str:
    # The engine prints "<type> resource '<name>' has a problem: <this>", then one line per
    # error: "- property <path> with value '<value>' has a problem: <reason>".
    return f"{count} invalid input{'s' if count > 1 else ''}"


# --- construct ----------------------------------------------------------------------------


async def construct(request: ConstructRequest) -> ConstructResponse:
    token = request.resource_type.split("$")[-1]
    component = next((c for c in components().values() if c.token == token), None)
    if component is None:
        raise InputPropertiesError(f"rekognition-media: unknown component type {token!r}")
    checker = _Inputs(component)
    try:
        kwargs: dict[str, Any] | None = checker.convert(request.inputs)
    except _Incomplete:
        kwargs = None  # preview: which resources exist is not known yet

    resource: pulumi.ComponentResource
    if kwargs is None:
        resource = pulumi.ComponentResource(token, request.name, None, opts=request.options)
        resource.register_outputs({})
        unknown = {f.wire: PropertyValue(rpc.UNKNOWN) for f in component.outputs}
        return ConstructResponse(await _urn(resource), unknown, {})

    module = _module(component)
    try:
        args = getattr(module, f"{component.name}Args")(**kwargs)
        resource = _served_class(component.name)(request.name, args, request.options)
    except ValueError as error:
        raise _args_error(component, error, request.inputs) from None

    state: dict[str, PropertyValue] = {}
    deps: dict[str, set[str]] = {}
    for field in component.outputs:
        try:
            value = await _state_value(getattr(resource, field.python))
        except ValueError as error:  # an Args rule applied to a value known only now
            raise _args_error(component, error, request.inputs) from None
        if value is not None:
            state[field.wire] = value
            deps[field.wire] = set(value.dependencies)
    return ConstructResponse(await _urn(resource), state, deps)


async def _urn(resource: pulumi.Resource) -> str:
    urn = await resource.urn.future()
    assert urn is not None
    return urn


async def _state_value(value: Any) -> PropertyValue | None:
    if value is None:
        return None
    if not isinstance(value, pulumi.Output):
        return PropertyValue(value)
    result = await value.future(with_unknowns=True)
    known = await value.is_known()
    secret = await value.is_secret()
    urns = {await _urn(r) for r in await value.resources()}
    if not known or rpc.contains_unknowns(result):
        return PropertyValue(rpc.UNKNOWN, is_secret=secret, dependencies=urns)
    if result is None:
        return None
    return PropertyValue(result, is_secret=secret, dependencies=urns)


def _module(component: Component) -> Any:
    # Imported here, not at the top: pulumi-aws and the components load only in a plugin
    # that constructs a component (a stack of jobs never pays for them).
    import importlib

    return importlib.import_module(f"rekognition_media.components.{component.module}")


@functools.cache
def _served_class(name: str) -> Callable[..., pulumi.ComponentResource]:
    """The component's class as the plugin serves it: its outputs recorded in the state
    under their camelCase names (the Python class records snake_case ones), and for the
    pipeline, the plugin's job resource as its job and served classes as its children
    (module docstring)."""
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
