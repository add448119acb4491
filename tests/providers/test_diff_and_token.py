"""diff replaces on request changes, updates settings in place; tokens are deterministic."""

from __future__ import annotations

import copy
import re
from typing import Any

from pulumi.runtime import rpc

from rekognition_media.core.request import build_request
from rekognition_media.core.token import derive_token
from rekognition_media.providers import MediaAnalysisJobProvider

from .test_check import valid_props


def diff(olds: dict[str, Any], news: dict[str, Any]) -> Any:
    return MediaAnalysisJobProvider().diff("job-1", olds, news)


def test_identical_inputs_have_no_changes() -> None:
    result = diff(valid_props(), valid_props())
    assert result.changes is False
    assert result.replaces == []


def test_recorded_outputs_and_number_spelling_do_not_count_as_changes() -> None:
    olds = valid_props() | {"job_id": "job-1", "status": "SUCCEEDED", "results_uri": "s3://b/k"}
    news = valid_props()
    news["operations_config"]["detect_moderation_labels"]["min_confidence"] = 60.0
    assert diff(olds, news).changes is False


def test_request_field_change_replaces() -> None:
    news = valid_props()
    news["operations_config"]["detect_moderation_labels"]["min_confidence"] = 75
    result = diff(valid_props(), news)
    assert result.changes is True
    assert result.replaces == ["operations_config"]


def test_region_change_replaces() -> None:
    result = diff(valid_props() | {"region": "us-east-1"}, valid_props() | {"region": "eu-west-1"})
    assert result.replaces == ["region"]


def test_behaviour_setting_change_updates_in_place() -> None:
    news = valid_props() | {"wait_timeout_seconds": 30, "fail_on_job_failure": False}
    result = diff(valid_props(), news)
    assert result.changes is True
    assert result.replaces == []


def test_unknown_request_field_is_a_possible_replace() -> None:
    news = valid_props()
    news["output_config"] = rpc.UNKNOWN
    assert diff(valid_props(), news).replaces == ["output_config"]


def test_token_is_deterministic_valid_and_depends_on_identity_and_request() -> None:
    request = build_request(valid_props())
    token = derive_token("proj/dev/job", request)
    assert token == derive_token("proj/dev/job", copy.deepcopy(request))
    assert re.fullmatch(r"[a-zA-Z0-9\-_]{1,64}", token)
    assert token != derive_token("proj/prod/job", request)
    changed = copy.deepcopy(request)
    changed["OperationsConfig"]["DetectModerationLabels"]["MinConfidence"] = 61.0
    assert token != derive_token("proj/dev/job", changed)


def test_token_ignores_key_order_number_spelling_and_the_token_itself() -> None:
    request = build_request(valid_props())
    reordered = dict(reversed(list(request.items())))
    reordered["OperationsConfig"] = {"DetectModerationLabels": {"MinConfidence": 60}}
    reordered["ClientRequestToken"] = "something-else"
    assert derive_token("id", request) == derive_token("id", reordered)
