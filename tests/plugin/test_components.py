"""The four components served by the plugin (``construct``), in-process under Pulumi's mocks.

Each test calls the plugin's ``construct`` as the SDK's server does (inputs as
``PropertyValue``s, options as ``ResourceOptions``) with the runtime pointed at Pulumi's
mocks (pulumi-aws cannot run here), and compares with the Python class for the same args:
the same children, the same outputs (camelCase). Secrets, dependencies, unknowns at
preview and bad inputs are checked on the values ``construct`` returns or raises.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest
from pulumi.errors import InputPropertiesError
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import ConstructRequest, ConstructResponse
from pulumi.runtime import rpc
from pulumi.runtime.stack import wait_for_rpcs

from devtools.media import sample_images
from rekognition_media import components as python_components
from rekognition_media.api.resources import JOB_TYPE_TOKEN, PLUGIN_JOB_TYPE_TOKEN
from rekognition_media.plugin import convert, schema
from rekognition_media.plugin.component_schema import DECLARED, components
from rekognition_media.plugin.provider import MediaAnalysisJobPlugin
from tests.mocks import EXISTING_KEY, EXISTING_POLICY, RecordingMocks, RecordingMonitor
from tests.support import BUCKET_TYPE_TOKEN, ROOT, plugin_type_token

DEPENDENCY = "urn:pulumi:test::rekognition-media-test::aws:iam/role:Role::runner"


def wire(value: Any) -> PropertyValue:
    """A Python value as the engine sends it (numbers are floats, bytes base64)."""
    if isinstance(value, PropertyValue):
        return value
    if isinstance(value, bytes):
        return PropertyValue(base64.b64encode(value).decode("ascii"))
    if isinstance(value, bool | str | None):
        return PropertyValue(value)
    if isinstance(value, int | float):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        return PropertyValue({k: wire(v) for k, v in value.items()})
    return PropertyValue([wire(v) for v in value])


def wire_inputs(args: Mapping[str, Any]) -> dict[str, PropertyValue]:
    return {convert.camel_case(k): wire(v) for k, v in args.items()}


def _current_loop() -> asyncio.AbstractEventLoop:
    """The main thread's event loop, made when there is none: ``asyncio.run`` (other
    tests) leaves none behind, and Pulumi's mocks and ``construct`` run on the current one."""
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


def _mocks(preview: bool) -> RecordingMocks:
    _current_loop()
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(
        recording,
        project="rekognition-media-test",
        stack="test",
        preview=preview,
        monitor=RecordingMonitor(recording),
    )
    return recording


def _run(program: Callable[[], Any]) -> None:
    @pulumi.runtime.test
    def run() -> Any:
        return program()

    run()


def construct(
    component: str, inputs: Mapping[str, PropertyValue], preview: bool = False, name: str = "media"
) -> tuple[ConstructResponse, RecordingMocks]:
    """The plugin's ``construct`` as the SDK's server runs it (``server._construct``):
    awaited, then the outstanding RPCs; an error raised by ``construct`` is what the
    server reports."""
    mocks = _mocks(preview)
    request = ConstructRequest(
        plugin_type_token(component), name, dict(inputs), pulumi.ResourceOptions()
    )

    async def serve() -> ConstructResponse:
        response = await MediaAnalysisJobPlugin(threads=1).construct(request)
        await wait_for_rpcs(await_all_outstanding_tasks=False)
        return response

    return _current_loop().run_until_complete(serve()), mocks


def python_component(
    component: str, args: Mapping[str, Any], name: str = "media"
) -> tuple[dict[str, Any], RecordingMocks]:
    """The Python class for the same args: its outputs (camelCase) and registrations."""
    mocks = _mocks(preview=False)
    values: dict[str, Any] = {}
    cls = getattr(python_components, component)
    args_cls = getattr(python_components, f"{component}Args")

    def program() -> pulumi.Output[Any]:
        resource = cls(name, args_cls(**args))
        outputs = {f.wire: getattr(resource, f.python) for f in components()[component].outputs}
        present = {k: v for k, v in outputs.items() if v is not None}
        return pulumi.Output.all(**present).apply(values.update)

    _run(program)
    return {k: v for k, v in values.items() if v is not None}, mocks


def plain_state(response: ConstructResponse) -> dict[str, Any]:
    return {k: v.value for k, v in response.state.items()}


def children(mocks: RecordingMocks) -> dict[tuple[str, str], tuple[dict[str, Any], str, set[str]]]:
    """(type, name) -> (inputs, parent URN, dependency URNs), without the jobs and the
    dynamic job's own resources (its stack identity, its lanes' providers)."""
    return {
        (r.typ, r.name): (r.inputs, r.parent, set(r.dependencies))
        for r in mocks.registrations
        if r.typ != PLUGIN_JOB_TYPE_TOKEN
        and not r.typ.startswith(("pulumi-python:", "pulumi:providers:pulumi-python"))
    }


IMAGES = sample_images()
CASES: dict[str, dict[str, Any]] = {
    "MediaAnalysisKey": {
        "account_id": "123456789012",
        "key_user_arns": ["arn:aws:iam::123456789012:role/runner"],
        "deletion_window_in_days": 10,
        "tags": {"team": "media"},
    },
    "EncryptedBucket": {
        "kms_key_arn": EXISTING_KEY,
        "bucket_name": "media-in",
        "force_destroy": True,
        "expire_objects_prefix": "results/",
        "expire_objects_after_days": 14,
    },
    "MediaAnalysisAccess": {
        "input_bucket_arn": "arn:aws:s3:::media-in",
        "output_bucket_arn": "arn:aws:s3:::media-out",
        "kms_key_arn": EXISTING_KEY,
        "role_name": "runner",
        "policy_name": "media",
    },
    "MediaAnalysisPipeline": {
        "account_id": "123456789012",
        "input_bucket_name": "media-in",
        "output_bucket_name": "media-out",
        "policy_name": "media",
        "input_objects": IMAGES,
        "manifest_key": "manifests/sample.jsonl",
        "manifest_image_keys": sorted(IMAGES),
        "min_confidence": 60.0,
        "results_expire_after_days": 30,
        "endpoint_url": "http://127.0.0.1:5000",
        "region": "us-east-1",
    },
}


def test_the_schema_is_the_args_and_the_outputs_of_the_python_classes() -> None:
    resources = schema.package_schema()["resources"]
    assert set(DECLARED) == {"MediaAnalysisKey", "EncryptedBucket", "MediaAnalysisAccess"} | {
        "MediaAnalysisPipeline"
    }
    for name in DECLARED:
        spec = resources[plugin_type_token(name)]
        assert spec["isComponent"] is True
        args_cls = getattr(python_components, f"{name}Args")
        fields = dataclasses.fields(args_cls)
        assert list(spec["inputProperties"]) == [convert.camel_case(f.name) for f in fields]
        assert spec["requiredInputs"] == [
            convert.camel_case(f.name)
            for f in fields
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        assert all(p["type"] == "string" for p in spec["properties"].values())
    key = resources[plugin_type_token("MediaAnalysisKey")]
    assert set(key["properties"]) == {"keyArn", "keyId", "aliasName", "policyDocument"}
    assert key["required"] == ["keyArn", "keyId"]
    assert key["inputProperties"]["keyUserArns"]["items"] == {"type": "string"}
    assert key["inputProperties"]["deletionWindowInDays"]["type"] == "integer"
    assert key["inputProperties"]["tags"]["additionalProperties"] == {"type": "string"}
    bucket = resources[plugin_type_token("EncryptedBucket")]
    assert bucket["inputProperties"]["forceDestroy"]["type"] == "boolean"
    # Docstrings become descriptions, the names they mention camelCase.
    assert "`existingBucketName`" in bucket["inputProperties"]["kmsKeyArn"]["description"]
    pipeline = resources[plugin_type_token("MediaAnalysisPipeline")]
    assert pipeline["inputProperties"]["minConfidence"]["type"] == "number"
    assert pipeline["inputProperties"]["inputObjects"]["additionalProperties"] == {"type": "string"}
    assert "Base64" in pipeline["inputProperties"]["inputObjects"]["description"]
    assert set(pipeline["properties"]) == {
        "inputBucketName",
        "inputBucketArn",
        "outputBucketName",
        "outputBucketArn",
        "keyArn",
        "policyArn",
        "jobId",
        "jobStatus",
        "resultsUri",
        "manifestSummaryUri",
    }
    assert set(pipeline["required"]) == {
        "inputBucketName",
        "inputBucketArn",
        "outputBucketName",
        "outputBucketArn",
        "keyArn",
        "policyArn",
    }


def test_the_plugin_and_its_schema_load_neither_pulumi_aws_nor_the_components() -> None:
    # A job-only stack's plugin answers GetSchema too (the YAML host asks for it).
    import subprocess
    import sys

    code = (
        "import sys; from rekognition_media.plugin import provider, schema; "
        "schema.package_schema(); "
        "print(sorted(m for m in sys.modules if m.startswith(('pulumi_aws', "
        "'rekognition_media.components'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("component", list(CASES))
def test_construct_registers_the_python_classes_children_and_returns_its_outputs(
    component: str,
) -> None:
    args = CASES[component]
    expected, python_mocks = python_component(component, args)
    response, plugin_mocks = construct(component, wire_inputs(args))

    assert response.urn == python_mocks.registrations[0].urn
    assert children(plugin_mocks) == children(python_mocks)
    assert plain_state(response) == expected
    assert not any(v.is_secret for v in response.state.values())
    # Each output depends on the resources it comes from.
    for key, urns in response.state_dependencies.items():
        assert urns == set(response.state[key].dependencies)
        assert all(urn.startswith("urn:pulumi:") for urn in urns)


def test_the_pipelines_job_is_the_plugins_job_with_the_same_request() -> None:
    args = CASES["MediaAnalysisPipeline"]
    _, python_mocks = python_component("MediaAnalysisPipeline", args)
    response, plugin_mocks = construct("MediaAnalysisPipeline", wire_inputs(args))

    dynamic = python_mocks.one(JOB_TYPE_TOKEN)
    job = plugin_mocks.one(PLUGIN_JOB_TYPE_TOKEN, "media-job")
    assert plugin_mocks.of_type(JOB_TYPE_TOKEN) == []  # no dynamic resource in the plugin
    request = ("operations_config", "input", "output_config", "kms_key_id", "endpoint_url")
    assert job.inputs == {
        convert.camel_case(k): _camel_keys(dynamic.inputs[k]) for k in (*request, "region")
    } | {
        "waitForCompletion": True,
        "waitTimeoutSeconds": 3600,
        "failOnJobFailure": True,
        "deleteOutputsOnDestroy": False,
    }
    assert job.parent == dynamic.parent
    # The job waits for the same resources (hardened buckets, key, access, uploads).
    assert set(job.dependencies) == {
        urn for urn in dynamic.dependencies if "pulumi-python:dynamic" not in urn
    }
    assert response.state["jobId"].value == "job-media-job"
    assert (
        response.state["resultsUri"].value == "s3://media-out/results/job-media-job/results.jsonl"
    )
    assert response.state["jobId"].dependencies == {job.urn}


def _camel_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {convert.camel_case(k): _camel_keys(v) for k, v in value.items()}
    return value


def test_a_secret_input_keeps_the_outputs_derived_from_it_secret() -> None:
    inputs = wire_inputs(CASES["MediaAnalysisKey"])
    inputs["accountId"] = PropertyValue("123456789012", is_secret=True)
    response, mocks = construct("MediaAnalysisKey", inputs)
    assert response.state["policyDocument"].is_secret
    assert '"arn:aws:iam::123456789012:root"' in str(response.state["policyDocument"].value)
    assert not response.state["keyId"].is_secret  # not derived from the account id
    # The child got it as a secret too (its policy input is the secret document).
    policy = mocks.one("aws:kms/key:Key").inputs["policy"]
    assert policy[rpc._special_sig_key] == rpc._special_secret_sig
    assert json.loads(policy["value"]) == json.loads(response.state["policyDocument"].value)

    response, _ = construct(
        "MediaAnalysisPipeline",
        wire_inputs(CASES["MediaAnalysisPipeline"])
        | {"existingKeyArn": PropertyValue(EXISTING_KEY, is_secret=True)},
    )
    assert response.state["keyArn"].is_secret
    assert response.state["keyArn"].value == EXISTING_KEY
    assert not response.state["inputBucketName"].is_secret


def test_an_input_s_dependencies_reach_the_outputs_and_children() -> None:
    inputs = wire_inputs({"existing_policy_arn": EXISTING_POLICY, "role_name": "runner"})
    inputs["roleName"] = PropertyValue("runner", dependencies=[DEPENDENCY])
    response, mocks = construct("MediaAnalysisAccess", inputs)
    assert response.state["policyArn"].value == EXISTING_POLICY
    attachment = mocks.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert DEPENDENCY in attachment.dependencies


def test_at_preview_unknown_inputs_give_unknown_outputs() -> None:
    unknown = PropertyValue(rpc.UNKNOWN)
    inputs = wire_inputs(CASES["MediaAnalysisPipeline"]) | {
        "existingKeyArn": unknown,
        "accountId": unknown,
        "keyUserArns": PropertyValue([PropertyValue("arn:aws:iam::1:role/a"), unknown]),
    }
    response, mocks = construct("MediaAnalysisPipeline", inputs, preview=True)
    # Outputs derived from the unknowns are unknown (the mocks answer every child with
    # values even at preview, so the children's own outputs are known here).
    assert response.state["keyArn"].value == rpc.UNKNOWN
    assert response.state["inputBucketName"].value == "media-in"
    assert mocks.of_type(PLUGIN_JOB_TYPE_TOKEN)  # the children are previewed
    assert mocks.of_type("aws:kms/key:Key") == []  # a brought key, unknown yet
    PropertyValue.marshal_map(response.state)

    # A value that decides which resources exist, unknown: the component alone, outputs
    # unknown, no error.
    inputs = wire_inputs(CASES["MediaAnalysisKey"]) | {"deletionWindowInDays": unknown}
    response, mocks = construct("MediaAnalysisKey", inputs, preview=True)
    assert {k: v.value for k, v in response.state.items()} == {
        "keyArn": rpc.UNKNOWN,
        "keyId": rpc.UNKNOWN,
        "aliasName": rpc.UNKNOWN,
        "policyDocument": rpc.UNKNOWN,
    }
    assert [r.typ for r in mocks.registrations] == [plugin_type_token("MediaAnalysisKey")]
    # The unknown sentinel marshals (PropertyValue.computed() would not).
    PropertyValue.marshal_map(response.state)


@pytest.mark.parametrize(
    ("component", "inputs", "path", "fragments"),
    [
        (
            "EncryptedBucket",
            {"kmsKeyArn": EXISTING_KEY, "bucketname": "media-in"},
            "bucketname",
            ["'media-in'", "unknown property", "did you mean 'bucketName'?"],
        ),
        (
            "MediaAnalysisKey",
            {"deletionWindowInDays": "7"},
            "deletionWindowInDays",
            ["'7'", "must be a whole number"],
        ),
        (
            "MediaAnalysisKey",
            {"keyUserArns": ["arn:aws:iam::1:role/a", 3]},
            "keyUserArns[1]",
            ["3.0", "must be a string"],
        ),
        (
            "MediaAnalysisPipeline",
            {"inputObjects": {"a.png": "not base64!"}},
            'inputObjects["a.png"]',
            ["'not base64!'", "must be a base64 string"],
        ),
        (
            "EncryptedBucket",
            {"bucketName": "media-in"},
            "kmsKeyArn",
            ["= None", "required when the bucket is created (existingBucketName not given)"],
        ),
        (
            "MediaAnalysisKey",
            {"deletionWindowInDays": 3},
            "deletionWindowInDays",
            ["= 3", "must be at least 7 days"],
        ),
        (
            "MediaAnalysisKey",
            {"existingKeyArn": "alias/media"},
            "existingKeyArn",
            ["'alias/media'", "must be a KMS key ARN"],
        ),
        (
            "MediaAnalysisPipeline",
            {"manifestImageKeys": ["a.png"]},
            "manifestKey",
            ["= None", "required when manifestImageKeys is given"],
        ),
    ],
)
def test_bad_input_names_the_component_path_value_and_rule(
    component: str, inputs: dict[str, Any], path: str, fragments: list[str]
) -> None:
    with pytest.raises(InputPropertiesError) as raised:
        construct(component, {k: wire(v) for k, v in inputs.items()})
    assert raised.value.errors is not None
    [error] = raised.value.errors
    assert error["property_path"] == path
    for fragment in [plugin_type_token(component), path, *fragments]:
        assert fragment in error["reason"], (fragment, error["reason"])


def test_a_secret_that_decides_which_resources_exist_is_refused_without_showing_it() -> None:
    inputs = {"deletionWindowInDays": PropertyValue(10.0, is_secret=True)}
    with pytest.raises(InputPropertiesError) as raised:
        construct("MediaAnalysisKey", inputs)
    assert raised.value.errors is not None
    [error] = raised.value.errors
    assert error["property_path"] == "deletionWindowInDays"
    assert "cannot be a secret" in error["reason"] and "10" not in error["reason"]


def test_the_components_readme_lists_every_input_and_output() -> None:

    readme = (ROOT / "components" / "README.md").read_text()
    rows = {
        line.split("|")[1].strip(" `"): line for line in readme.splitlines() if "| `rek" in line
    }
    for component in components().values():
        row = rows[component.token]
        inputs, outputs = row.split("|")[2], row.split("|")[3]
        assert {f"`{f.wire}`" for f in component.inputs} == set(_code_spans(inputs))
        assert {f"`{f.wire}`" for f in component.outputs} == set(_code_spans(outputs))


def _code_spans(text: str) -> list[str]:
    return [f"`{part}`" for part in text.split("`")[1::2]]


def test_a_rule_on_a_value_known_only_in_an_output_is_an_input_error_too() -> None:
    # A secret or a value with dependencies arrives as an Output, so the Args cannot check
    # it at once: the class's apply does, and construct reports an input error all the same.
    inputs = {"existingBucketName": PropertyValue("arn:aws:ec2:::media-in", is_secret=True)}
    with pytest.raises(InputPropertiesError) as raised:
        construct("EncryptedBucket", inputs)
    assert raised.value.errors is not None
    [error] = raised.value.errors
    assert error["property_path"] == "existingBucketName"
    assert error["reason"] == (  # the value is a secret: not shown
        f"{BUCKET_TYPE_TOKEN}: existingBucketName = [secret]: an ARN must be an S3 bucket ARN"
    )
    inputs = {
        "existingBucketName": PropertyValue("arn:aws:ec2:::media-in", dependencies=[DEPENDENCY])
    }
    with pytest.raises(InputPropertiesError) as raised:
        construct("EncryptedBucket", inputs)
    assert raised.value.errors is not None
    assert (
        "existingBucketName = 'arn:aws:ec2:::media-in': an ARN" in raised.value.errors[0]["reason"]
    )
