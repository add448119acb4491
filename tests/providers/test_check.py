"""check: every problem with a job's inputs is a CheckFailure naming field, value and rule."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.runtime import rpc

from rekognition_media.providers import MediaAnalysisJobProvider


def valid_props() -> dict[str, Any]:
    return {
        "operations_config": {"detect_moderation_labels": {"min_confidence": 60}},
        "input": {"s3_object": {"bucket": "media-in", "name": "manifests/batch.jsonl"}},
        "output_config": {"s3_bucket": "media-out", "s3_key_prefix": "results/"},
        "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "job_name": "nightly-batch",
        "client_request_token": "pulumi-0123456789abcdef",
        "wait_for_completion": True,
        "wait_timeout_seconds": 600,
    }


def failures(props: dict[str, Any]) -> dict[str, str]:
    result = MediaAnalysisJobProvider().check({}, props)
    return {f.property: f.reason for f in result.failures}


def test_valid_inputs_pass_unchanged() -> None:
    props = valid_props()
    result = MediaAnalysisJobProvider().check({}, props)
    assert result.failures == []
    assert result.inputs == props


def test_min_confidence_above_100_names_field_value_and_rule() -> None:
    props = valid_props()
    props["operations_config"]["detect_moderation_labels"]["min_confidence"] = 101
    found = failures(props)
    reason = found["operations_config.detect_moderation_labels.min_confidence"]
    assert "101" in reason
    assert "less than or equal to 100" in reason


def test_job_name_pattern_and_length() -> None:
    props = valid_props()
    props["job_name"] = "has spaces"
    reason = failures(props)["job_name"]
    assert "'has spaces'" in reason and "regular expression pattern" in reason
    props["job_name"] = "x" * 65
    assert "less than or equal to 64" in failures(props)["job_name"]


def test_missing_required_output_bucket_is_reported() -> None:
    props = valid_props()
    del props["output_config"]["s3_bucket"]
    assert "must not be null" in failures(props)["output_config.s3_bucket"]


def test_several_problems_are_all_reported() -> None:
    props = valid_props()
    props["kms_key_id"] = "-starts-with-dash"
    props["output_config"]["s3_key_prefix"] = "has space/"
    props["input"]["s3_object"]["bucket"] = "no"
    assert set(failures(props)) == {
        "kms_key_id",
        "output_config.s3_key_prefix",
        "input.s3_object.bucket",
    }


def test_behaviour_settings_are_validated() -> None:
    props = valid_props()
    props["wait_timeout_seconds"] = 0
    props["endpoint_url"] = "localhost:4566"
    props["region"] = "Europe"
    found = failures(props)
    assert "greater than or equal to 1" in found["wait_timeout_seconds"]
    assert "'localhost:4566'" in found["endpoint_url"]
    assert "'Europe'" in found["region"]


def test_unknown_values_at_preview_pass_through() -> None:
    props = valid_props()
    props["output_config"]["s3_bucket"] = rpc.UNKNOWN
    props["kms_key_id"] = rpc.UNKNOWN
    props["client_request_token"] = rpc.UNKNOWN
    assert failures(props) == {}


def test_an_unknown_structure_does_not_count_as_missing() -> None:
    props = valid_props()
    props["input"] = rpc.UNKNOWN
    assert failures(props) == {}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*sorted(valid_props()), "operations_config", "endpoint_url", "region"]),
        json_values,
    )
)
def test_arbitrary_inputs_only_ever_produce_check_failures(props: dict[str, Any]) -> None:
    result = MediaAnalysisJobProvider().check({}, props)
    for failure in result.failures:
        assert failure.property
        assert failure.reason
