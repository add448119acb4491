"""check: every problem with a job's inputs is a CheckFailure naming field, value and rule."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown
from pulumi.runtime import rpc

from rekognition_media.providers import DetectModerationLabelsArgs, MediaAnalysisJobProvider
from rekognition_media.providers.args import as_props


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
        "region": "us-east-1",
    }


def failures(props: dict[str, Any]) -> dict[str, str]:
    """Reasons by the property path they start with (``path = value: rule``)."""
    result = MediaAnalysisJobProvider().check({}, props)
    return {f.reason.split(" = ", 1)[0]: f.reason for f in result.failures}


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


def test_a_manifest_without_its_key_or_bucket_is_reported() -> None:
    # botocore's model makes both optional; a job cannot read a manifest without them.
    props = valid_props()
    del props["input"]["s3_object"]["name"]
    assert failures(props) == {
        "input.s3_object.name": "input.s3_object.name = (not set): must not be null: it is the "
        "object key of the manifest the job reads"
    }
    del props["input"]["s3_object"]["bucket"]
    assert set(failures(props)) == {"input.s3_object.name", "input.s3_object.bucket"}


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
        # The reason names the property; the engine would echo a named property whole.
        assert failure.property == ""
        assert " = " in failure.reason and ": " in failure.reason


# What the engine sends for values not known at preview: ``Unknown`` objects in check.
UNKNOWNS = [rpc.UNKNOWN, Unknown()]


@pytest.mark.parametrize("unknown", UNKNOWNS, ids=["sentinel", "object"])
def test_unknown_values_anywhere_pass_and_known_ones_are_still_checked(unknown: Any) -> None:
    props = valid_props()
    props["output_config"]["s3_bucket"] = unknown
    props["kms_key_id"] = unknown
    props["input"]["s3_object"] = unknown
    props["operations_config"]["detect_moderation_labels"] = unknown
    props["token_scope"] = unknown
    assert failures(props) == {}
    props["job_name"] = "has spaces"
    assert set(failures(props)) == {"job_name"}


def test_a_misspelt_nested_key_is_reported_with_the_close_match() -> None:
    props = valid_props()
    props["operations_config"] = {"detect_moderation_labels": {"min_confidense": 95}}
    reason = failures(props)["operations_config.detect_moderation_labels.min_confidense"]
    assert reason.endswith("unknown property; did you mean 'min_confidence'?")
    props = valid_props() | {"wait_timout_seconds": 5}
    assert "did you mean 'wait_timeout_seconds'?" in failures(props)["wait_timout_seconds"]


def test_an_operations_config_without_an_operation_is_reported() -> None:
    props = valid_props()
    props["operations_config"] = {}
    reason = failures(props)["operations_config"]
    assert "must specify at least one operation: DetectModerationLabels" in reason
    # An operation with no settings is one: the base model at the default confidence.
    props["operations_config"] = {"detect_moderation_labels": {}}
    assert failures(props) == {}


def test_no_region_anywhere_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent"))
    props = valid_props()
    del props["region"]
    assert "no region: set the region input" in failures(props)["region"]
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert failures(props) == {}


def test_a_long_value_is_shortened_in_the_reason() -> None:
    props = valid_props() | {"kms_key_id": "k" * 10_000}
    reason = failures(props)["kms_key_id"]
    assert len(reason) < 200 and "...: must have length" in reason


def test_args_classes_name_a_misspelt_argument_and_accept_dicts() -> None:
    with pytest.raises(TypeError, match="did you mean 'min_confidence'"):
        DetectModerationLabelsArgs(min_confidense=95)  # type: ignore[call-arg]
    props = as_props({"operations_config": {"detect_moderation_labels": {"min_confidence": 60}}})
    # A dict gets the Args class's defaults for the settings.
    assert props["wait_for_completion"] is True and props["wait_timeout_seconds"] == 3600
    with pytest.raises(TypeError, match="MediaAnalysisJobArgs or a dict"):
        as_props(["not", "args"])  # type: ignore[arg-type]
