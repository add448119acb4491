"""The four components' schema, derived from their Python source.

``rekognition-media:index:MediaAnalysisKey``, ``EncryptedBucket``, ``MediaAnalysisAccess``
and ``MediaAnalysisPipeline``: the classes of ``rekognition_media.components``, as the
plugin declares them (``components.py`` constructs them).

**One declaration.** ``DECLARED`` names the four components; everything else is derived
from their source: the inputs are the fields of ``<Name>Args`` (names in camelCase, types
from the annotations, descriptions from the fields' docstrings, required = no default),
the outputs are the class's ``pulumi.Output`` attributes. The source is *parsed*, not
imported, so ``get_schema`` (which the YAML host asks for on every run, also for stacks
that only use jobs) loads neither pulumi-aws nor the components; ``construct`` imports
them when a component is first constructed. The same derived ``Field``s check the inputs
and turn them into the Args' values (``component_values.py``), so the schema and the
mapping cannot disagree.

Why it is built so (rather than on the SDK's own component machinery), and why outputs
are strings: plugin/README.md, "How the components are served".
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rekognition_media.api.casing import camel_case
from rekognition_media.api.resources import COMPONENT_TYPE_TOKENS

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


def _constants(folder: Path, module: str) -> dict[str, Any]:
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


def _components_folder() -> Path:
    # Found, not imported: importing the components would load pulumi-aws into the plugin.
    spec = importlib.util.find_spec("rekognition_media.components")
    if spec is None or not spec.submodule_search_locations:
        raise LookupError("rekognition_media.components is not installed")
    return Path(spec.submodule_search_locations[0])


@functools.cache
def components() -> dict[str, Component]:
    """Component name -> its declaration, derived from the components' source."""
    folder = _components_folder()
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
