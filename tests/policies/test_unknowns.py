"""The unknown-value handling every policy relies on, against the SDK's own proxies."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from devtools.policy_harness import (
    UNKNOWN_BOOL,
    UNKNOWN_NUM,
    UNKNOWN_OBJ,
    UNKNOWN_STR,
    analyze_props,
    remediate_props,
)
from rekognition_media.policies import UNKNOWN
from rekognition_media.policies._framework import get, plain

SENTINELS = [UNKNOWN_STR, UNKNOWN_BOOL, UNKNOWN_NUM, UNKNOWN_OBJ]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(SENTINELS),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=6), children, max_size=4),
    ),
    max_leaves=20,
)


def expected(value: Any) -> Any:
    if isinstance(value, str) and value in SENTINELS:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: expected(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expected(v) for v in value]
    return value


@given(st.dictionaries(st.text(min_size=1, max_size=6), values, max_size=5))
def test_plain_replaces_every_unknown_and_keeps_the_rest(props: dict[str, Any]) -> None:
    assert plain(analyze_props(props)) == expected(props)
    assert plain(remediate_props(props)) == expected(props)


def test_get_walks_known_values_and_stops_at_unknowns() -> None:
    props = plain(analyze_props({"a": {"b": [1, UNKNOWN_OBJ]}, "u": UNKNOWN_OBJ}))
    assert get(props, "a", "b", 0) == 1
    assert get(props, "a", "b", 1) is UNKNOWN
    assert get(props, "u", "deeper", 3) is UNKNOWN
    assert get(props, "a", "missing", "x") is None
    assert get(props, "a", "b", 7) is None
