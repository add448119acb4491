"""A component's values across the wire: inputs to the Args' values, outputs back.

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

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.output import UNKNOWN
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime import rpc

from rekognition_media.api.casing import camel_case, camel_names
from rekognition_media.api.messages import did_you_mean

from .component_schema import Component, Field, Shape
from .convert import is_unknown_wire_value

# --- inputs --------------------------------------------------------------------------------


class Incomplete(Exception):
    """A value the component reads as plain data is unknown (preview)."""


def _has_unknowns(pv: PropertyValue) -> bool:
    inner = pv.value
    if is_unknown_wire_value(inner):
        return True
    if isinstance(inner, Mapping):
        return any(_has_unknowns(v) for v in inner.values())
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return any(_has_unknowns(v) for v in inner)
    return False


class Inputs:
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
        # Converted only once every value has its type: Incomplete must not hide an error.
        return {
            name: self._value(pv, _field(self.component, name).shape, camel_case(name))
            for name, pv in kwargs.items()
        }

    def raise_errors(self) -> None:
        if self.errors:
            raise InputPropertiesError(_invalid(len(self.errors)), self.errors)

    def _check(self, pv: PropertyValue, shape: Shape, path: str) -> bool:
        inner = pv.value
        if is_unknown_wire_value(inner):
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
        if is_unknown_wire_value(pv.value):
            raise Incomplete(path)
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
    if is_unknown_wire_value(value):
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


def args_error(
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


# --- outputs -------------------------------------------------------------------------------


async def urn(resource: pulumi.Resource) -> str:
    found = await resource.urn.future()
    assert found is not None
    return found


async def state_value(value: Any) -> PropertyValue | None:
    """A component's output attribute as the state's value (``None``: left out)."""
    if value is None:
        return None
    if not isinstance(value, pulumi.Output):
        return PropertyValue(value)
    result = await value.future(with_unknowns=True)
    known = await value.is_known()
    secret = await value.is_secret()
    urns = {await urn(r) for r in await value.resources()}
    if not known or rpc.contains_unknowns(result):
        return PropertyValue(rpc.UNKNOWN, is_secret=secret, dependencies=urns)
    if result is None:
        return None
    return PropertyValue(result, is_secret=secret, dependencies=urns)
