"""The whole pack on the example stack (``__main__.py`` at the repository root).

The example program runs under Pulumi mocks (the ``RecordingMocks`` of tests/mocks.py),
which record every registered resource: its type, name, URN, parent, its inputs exactly as
the engine receives them (camelCase for pulumi-aws, the snake_case dicts of the dynamic
``MediaAnalysisJob``) and, here, its property dependencies. Each recorded resource goes
through the policy harness (wire conversion, the real ``ResourceValidationArgs`` /
``StackValidationArgs``): every resource policy sees every resource, every stack policy the
whole stack. The example stack must produce no violation at all, mandatory or advisory; the
mutated stacks below show that the same evaluation does catch what each policy is about.
"""

from __future__ import annotations

import copy
import json
import runpy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pytest
from pulumi_policy import PolicyResource, ResourceValidationPolicy, StackValidationPolicy

from devtools.policy_harness import UNKNOWN_STR, Stack, check
from rekognition_media.api.resources import BATCH_TYPE_TOKEN
from rekognition_media.policies import RESOURCE_TYPES, all_policies
from tests.mocks import (
    ACCOUNT_ID,
    EXISTING_KEY,
    EXISTING_POLICY,
    JOB_TYPE,
    RecordingMocks,
    RecordingMonitor,
)
from tests.mocks import EXAMPLE_PROGRAM as PROGRAM

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
IAM_POLICY = "aws:iam/policy:Policy"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_ACL_V2 = "aws:s3/bucketAclV2:BucketAclV2"
ROLE = "aws:iam/role:Role"
BATCH_TYPE = BATCH_TYPE_TOKEN

ENDPOINT = "http://127.0.0.1:5123"
# roleName: the access policy is attached to a role, so the attachment is checked too.
MANAGED_CONFIG = {"accountId": ACCOUNT_ID, "endpointUrl": ENDPOINT, "roleName": "media-analysis"}
EXISTING_CONFIG = {
    "mode": "existing",
    "inputBucket": "media-in",
    "outputBucket": "media-out",
    "kmsKeyArn": EXISTING_KEY,
    "accessPolicyArn": EXISTING_POLICY,
    "endpointUrl": ENDPOINT,
}

View = Literal["inputs", "outputs"]


# --- recording the example stack ----------------------------------------------------------


class PropertyDependencyMonitor(RecordingMonitor):
    """Also records ``propertyDependencies`` (property -> URNs), as the engine keeps them."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.property_deps: dict[tuple[str, str], dict[str, list[str]]] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.property_deps[(request.type, request.name)] = {
            key: list(deps.urns) for key, deps in request.propertyDependencies.items()
        }
        return super().RegisterResource(request)


class OutputRecordingMocks(RecordingMocks):
    """Also keeps what each registration resolved to (what ``pulumi up`` would store)."""

    def __init__(self) -> None:
        super().__init__()
        self.outputs: dict[tuple[str, str], dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        rid, outs = super().new_resource(args)
        # Bridged (pulumi-aws) providers report the id among the outputs as well.
        extra = {"id": rid} if args.typ.startswith("aws:") else {}
        self.outputs[(args.typ, args.name)] = {**outs, **extra}
        return rid, outs


@dataclass
class Recorded:
    """One registered resource of the example stack."""

    type: str
    name: str
    urn: str
    parent: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    property_deps: dict[str, list[str]]


def run_example(config: Mapping[str, str]) -> list[Recorded]:
    """Run ``__main__.py`` under the mocks with ``rekognition-media:*`` config."""
    recording = OutputRecordingMocks()
    monitor = PropertyDependencyMonitor(recording)
    pulumi.runtime.set_mocks(
        recording, project="rekognition-media-test", stack="test", preview=False, monitor=monitor
    )
    pulumi.runtime.set_all_config({f"rekognition-media:{k}": v for k, v in config.items()})
    try:

        @pulumi.runtime.test
        def program() -> pulumi.Output[Any]:
            runpy.run_path(str(PROGRAM), run_name="__main__")
            stack = pulumi.runtime.get_root_resource()
            outputs: dict[str, Any] = stack.outputs  # type: ignore[union-attr]
            return pulumi.Output.all(**outputs)

        program()
    finally:
        pulumi.runtime.set_all_config({})
    return [
        Recorded(
            type=r.typ,
            name=r.name,
            urn=r.urn,
            parent=r.parent,
            inputs=r.inputs,
            outputs=recording.outputs[(r.typ, r.name)],
            property_deps=monitor.property_deps[(r.typ, r.name)],
        )
        for r in recording.registrations
    ]


@pytest.fixture(scope="module")
def managed_stack() -> list[Recorded]:
    return run_example(MANAGED_CONFIG)


@pytest.fixture(scope="module")
def existing_stack() -> list[Recorded]:
    return run_example(EXISTING_CONFIG)


@pytest.fixture
def managed(managed_stack: list[Recorded]) -> list[Recorded]:
    """A copy of the managed-mode stack that a test may mutate."""
    return copy.deepcopy(managed_stack)


@pytest.fixture
def existing(existing_stack: list[Recorded]) -> list[Recorded]:
    return copy.deepcopy(existing_stack)


# --- evaluating the pack --------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    urn: str | None
    message: str

    def __str__(self) -> str:
        return f"[{self.level}] {self.policy} ({self.urn}): {self.message}"


@dataclass
class Evaluation:
    violations: list[Violation]
    applied: dict[str, int]
    """Resource policy -> how many resources it actually checked (not skipped)."""

    @property
    def policies(self) -> set[str]:
        return {v.policy for v in self.violations}

    @property
    def text(self) -> str:
        return "\n".join(map(str, self.violations)) or "(none)"


def policy_stack(resources: list[Recorded], view: View) -> Stack:
    """The stack as ``AnalyzeStack`` hands it over: parents and property dependencies linked
    (a dependency on a resource a test removed is dropped)."""
    stack = Stack()
    by_urn = {r.urn: r for r in resources}
    built: dict[str, PolicyResource] = {}

    def add(resource: Recorded) -> PolicyResource:
        if resource.urn not in built:
            parent = by_urn.get(resource.parent)
            deps = {
                prop: [add(by_urn[urn]) for urn in urns if urn in by_urn]
                for prop, urns in resource.property_deps.items()
            }
            built[resource.urn] = stack.add(
                resource.type,
                resource.name,
                resource.inputs if view == "inputs" else resource.outputs,
                deps=deps,
                parent=add(parent) if parent is not None else None,
            )
        return built[resource.urn]

    for resource in resources:
        add(resource)
    return stack


def evaluate(
    resources: list[Recorded],
    view: View = "inputs",
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> Evaluation:
    """Every resource policy on every resource (its inputs, as ``Analyze`` sees them) and
    every stack policy on the whole stack; ``config``: policy name -> its settings."""
    keys = [(r.type, r.name) for r in resources]
    assert len(set(keys)) == len(keys), "type and name identify each resource"
    violations: list[Violation] = []
    applied: dict[str, int] = {}
    stack = policy_stack(resources, view)
    for policy in all_policies():
        level = policy.enforcement_level.value
        if isinstance(policy, ResourceValidationPolicy):
            applied[policy.name] = 0
            for resource in resources:
                outcome = check(
                    policy,
                    resource.type,
                    resource.inputs,
                    name=resource.name,
                    config=(config or {}).get(policy.name),
                )
                if resource.type in RESOURCE_TYPES[policy.name] and outcome.not_applicable is None:
                    applied[policy.name] += 1
                violations += [
                    Violation(policy.name, level, urn, message)
                    for message, urn in zip(outcome.violations, outcome.urns, strict=True)
                ]
        else:
            assert isinstance(policy, StackValidationPolicy)
            outcome = stack.check(policy, (config or {}).get(policy.name))
            violations += [
                Violation(policy.name, level, urn, message)
                for message, urn in zip(outcome.violations, outcome.urns, strict=True)
            ]
    return Evaluation(violations, applied)


def one(resources: list[Recorded], resource_type: str, name: str | None = None) -> Recorded:
    found = [r for r in resources if r.type == resource_type and name in (None, r.name)]
    assert len(found) == 1, f"expected one {resource_type} {name or ''}, got {len(found)}"
    return found[0]


def drop(resources: list[Recorded], resource_type: str, name: str) -> None:
    resources.remove(one(resources, resource_type, name))


def type_counts(resources: list[Recorded]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in resources:
        counts[r.type] = counts.get(r.type, 0) + 1
    return counts


# --- the example stack as written -------------------------------------------------------------


def test_example_stack_records_what_the_policies_check(managed: list[Recorded]) -> None:
    counts = type_counts(managed)
    for resource_type, expected in {
        BUCKET: 2,
        SSE: 2,
        PAB: 2,
        BUCKET_POLICY: 2,
        KEY: 1,
        ALIAS: 1,
        IAM_POLICY: 1,
        ROLE_ATTACHMENT: 1,
        OBJECT: 4,
        JOB_TYPE: 1,
    }.items():
        assert counts.get(resource_type) == expected, (resource_type, counts)
    # the engine's view: camelCase for pulumi-aws, the job's own snake_case properties
    assert one(managed, KEY).inputs["enableKeyRotation"] is True
    assert (
        "applyServerSideEncryptionByDefault"
        in one(managed, SSE, "media-output-encryption").inputs["rules"][0]
    )
    job = one(managed, JOB_TYPE)
    assert job.inputs["kms_key_id"].startswith("arn:aws:kms:")
    bucket_urn = one(managed, BUCKET, "media-output").urn
    assert job.property_deps["output_config"] == [bucket_urn]
    assert one(managed, PAB, "media-output-public-access-block").property_deps["bucket"] == [
        bucket_urn
    ]


@pytest.mark.parametrize("view", ["inputs", "outputs"])
def test_managed_example_stack_has_no_violations(managed: list[Recorded], view: View) -> None:
    """``inputs``: the stack policies see the recorded inputs (the brief's representation, and
    what ``Analyze`` gets); ``outputs``: they see what the resources resolved to, as
    ``AnalyzeStack`` does during ``pulumi up`` (bucket names and key ARNs known)."""
    evaluation = evaluate(managed, view)
    assert evaluation.violations == [], f"violations on the example stack:\n{evaluation.text}"
    # not vacuous: every resource policy checked at least one resource of the stack, except
    # the trust policy check: the example creates no role (it attaches its policy to an
    # existing one), and the batch's: the example runs a job, not a batch. MUTATIONS adds a
    # hand-written role and batch to show those checks at work here.
    absent = {
        name
        for name, types in RESOURCE_TYPES.items()
        if name in evaluation.applied and not any(r.type in types for r in managed)
    }
    assert absent == {
        "iam-role-trust-policy-no-public-access",
        "media-analysis-batch-max-images",
    }, absent
    checked = {name: n for name, n in evaluation.applied.items() if name not in absent}
    assert all(checked.values()), evaluation.applied


def test_existing_example_stack_has_no_violations(existing: list[Recorded]) -> None:
    assert not [r for r in existing if r.type.startswith("aws:")]
    job = one(existing, JOB_TYPE)
    assert job.inputs["kms_key_id"] == EXISTING_KEY
    assert job.inputs["output_config"]["s3_bucket"] == "media-out"
    for view in ("inputs", "outputs"):
        evaluation = evaluate(existing, view)
        assert evaluation.violations == [], f"violations ({view}):\n{evaluation.text}"
        assert evaluation.applied["media-analysis-job-kms-key"] == 1
        assert evaluation.applied["media-analysis-job-min-confidence"] == 1


# --- the same evaluation catches a broken stack -----------------------------------------------


def _rotation_off(stack: list[Recorded]) -> None:
    one(stack, KEY).inputs["enableKeyRotation"] = False


def _no_public_access_block(stack: list[Recorded]) -> None:
    drop(stack, PAB, "media-output-public-access-block")


def _public_policy_allowed(stack: list[Recorded]) -> None:
    one(stack, PAB, "media-input-public-access-block").inputs["blockPublicPolicy"] = False


def _unlinked_public_access_block(stack: list[Recorded]) -> None:
    block = one(stack, PAB, "media-input-public-access-block")
    block.inputs["bucket"] = UNKNOWN_STR  # preview, and no dependency recording the bucket
    block.property_deps["bucket"] = []


def _job_without_key(stack: list[Recorded]) -> None:
    job = one(stack, JOB_TYPE)
    del job.inputs["kms_key_id"]
    del job.property_deps["kms_key_id"]


def _job_with_aws_managed_key(stack: list[Recorded]) -> None:
    job = one(stack, JOB_TYPE)
    job.inputs["kms_key_id"] = "alias/aws/rekognition"
    job.property_deps["kms_key_id"] = []


def _low_confidence(stack: list[Recorded]) -> None:
    one(stack, JOB_TYPE).inputs["operations_config"]["detect_moderation_labels"][
        "min_confidence"
    ] = 10.0


def _no_output_encryption(stack: list[Recorded]) -> None:
    drop(stack, SSE, "media-output-encryption")


def _output_bucket_other_key(stack: list[Recorded]) -> None:
    rule = one(stack, SSE, "media-output-encryption").inputs["rules"][0]
    other = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/00000000-1111-2222-3333-444444444444"
    rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] = other


def _bucket_key_off(stack: list[Recorded]) -> None:
    one(stack, SSE, "media-input-encryption").inputs["rules"][0]["bucketKeyEnabled"] = False


def _no_input_bucket_policy(stack: list[Recorded]) -> None:
    drop(stack, BUCKET_POLICY, "media-input-policy")


def _add_statement(statement: dict[str, Any]) -> Callable[[list[Recorded]], None]:
    def mutate(stack: list[Recorded]) -> None:
        policy = one(stack, IAM_POLICY)
        document = json.loads(policy.inputs["policy"])
        document["Statement"].append(statement)
        policy.inputs["policy"] = json.dumps(document)

    return mutate


def _edit_bucket_policy(
    name: str, edit: Callable[[dict[str, Any]], None]
) -> Callable[[list[Recorded]], None]:
    def mutate(stack: list[Recorded]) -> None:
        policy = one(stack, BUCKET_POLICY, name)
        document = json.loads(policy.inputs["policy"])
        edit(document)
        policy.inputs["policy"] = json.dumps(document)

    return mutate


def _public_read(document: dict[str, Any]) -> None:
    bucket_arn = document["Statement"][0]["Resource"][0]
    document["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{bucket_arn}/*",
        }
    )


def _tls_deny_on_bucket_arn_only(document: dict[str, Any]) -> None:
    tls = document["Statement"][0]
    assert tls["Sid"] == "DenyInsecureTransport"
    tls["Resource"] = tls["Resource"][0]


def _administrator_access(stack: list[Recorded]) -> None:
    attachment = one(stack, ROLE_ATTACHMENT)
    attachment.inputs["policyArn"] = "arn:aws:iam::aws:policy/AdministratorAccess"
    attachment.property_deps["policyArn"] = []


OTHER_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/00000000-1111-2222-3333-444444444444"


def _add_key_statement(statement: dict[str, Any]) -> Callable[[list[Recorded]], None]:
    def mutate(stack: list[Recorded]) -> None:
        key = one(stack, KEY)
        document = json.loads(key.inputs["policy"])
        document["Statement"].append(statement)
        key.inputs["policy"] = json.dumps(document)

    return mutate


def _bucket_acl(stack: list[Recorded]) -> None:
    one(stack, BUCKET, "media-input").inputs["acl"] = "public-read"


def _object_acl(stack: list[Recorded]) -> None:
    one(stack, OBJECT, "media-manifest").inputs["acl"] = "public-read"


def _ownership_object_writer(stack: list[Recorded]) -> None:
    controls = one(stack, OWNERSHIP, "media-output-ownership")
    controls.inputs["rule"]["objectOwnership"] = "ObjectWriter"


def _object_s3_managed(stack: list[Recorded]) -> None:
    manifest = one(stack, OBJECT, "media-manifest")
    manifest.inputs["serverSideEncryption"] = "AES256"
    del manifest.inputs["kmsKeyId"]


def _object_other_key(stack: list[Recorded]) -> None:
    manifest = one(stack, OBJECT, "media-manifest")
    manifest.inputs["kmsKeyId"] = OTHER_KEY
    manifest.property_deps["kmsKeyId"] = []


def _hand_written(resource_type: str, name: str, inputs: dict[str, Any]) -> Recorded:
    return Recorded(
        type=resource_type,
        name=name,
        urn=f"urn:pulumi:test::rekognition-media-test::{resource_type}::{name}",
        parent="",
        inputs=inputs,
        outputs=inputs,
        property_deps={},
    )


def _public_role(stack: list[Recorded]) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    stack.append(_hand_written(ROLE, "media-reader", {"assumeRolePolicy": json.dumps(trust)}))


def _batch(stack: list[Recorded], **overrides: Any) -> None:
    """A batch beside the example's job: its buckets, key and confidence, linked as the
    job's are; a prefix of the job's input bucket as its source."""
    job = one(stack, JOB_TYPE)
    inputs = {
        name: copy.deepcopy(job.inputs[name])
        for name in ("operations_config", "output_config", "kms_key_id")
    }
    inputs["source"] = {"bucket": job.inputs["input"]["s3_object"]["bucket"], "prefix": "u/"}
    batch = _hand_written(BATCH_TYPE, "nightly", {**inputs, **overrides})
    batch.property_deps = {
        name: list(urns)
        for name, urns in job.property_deps.items()
        if name in ("output_config", "kms_key_id")
    }
    stack.append(batch)


def _public_bucket_acl_resource(stack: list[Recorded]) -> None:
    bucket = one(stack, BUCKET, "media-output")
    grants = [
        {
            "grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"},
            "permission": "READ",
        }
    ]
    acl = _hand_written(
        BUCKET_ACL_V2,
        "media-output-acl",
        {"bucket": UNKNOWN_STR, "accessControlPolicy": {"grants": grants}},
    )
    acl.property_deps = {"bucket": [bucket.urn]}
    stack.append(acl)


MUTATIONS: dict[str, tuple[Callable[[list[Recorded]], None], set[str]]] = {
    "key rotation off": (_rotation_off, {"kms-key-rotation"}),
    "output bucket without public access block": (
        _no_public_access_block,
        {"s3-bucket-public-access-block"},
    ),
    "public access block lets public policies in": (
        _public_policy_allowed,
        {"s3-bucket-public-access-block"},
    ),
    "public access block not linked (advisory)": (
        _unlinked_public_access_block,
        {"cross-resource-links"},
    ),
    "job without kms_key_id": (_job_without_key, {"media-analysis-job-kms-key"}),
    "job with an AWS-managed key": (
        _job_with_aws_managed_key,
        {"media-analysis-job-kms-key", "cross-resource-links"},
    ),
    "job min_confidence below the floor (advisory)": (
        _low_confidence,
        {"media-analysis-job-min-confidence"},
    ),
    "output bucket without encryption configuration": (
        _no_output_encryption,
        {"s3-bucket-encryption-configured", "media-analysis-job-output-encryption"},
    ),
    "output bucket encrypted with another key": (
        _output_bucket_other_key,
        {"media-analysis-job-output-encryption"},
    ),
    "bucket key off": (_bucket_key_off, {"s3-bucket-kms-encryption"}),
    "input bucket without bucket policy": (
        _no_input_bucket_policy,
        {"s3-bucket-deny-insecure-transport"},
    ),
    "IAM wildcard action": (
        _add_statement(
            {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::media-input/*"}
        ),
        {"iam-no-wildcard-actions"},
    ),
    "IAM wildcard resource": (
        _add_statement({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}),
        {"iam-no-wildcard-resources"},
    ),
    "IAM wildcard bucket in an ARN": (
        _add_statement(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"}
        ),
        {"iam-no-wildcard-resources"},
    ),
    "IAM wildcard key id in an ARN": (
        _add_statement(
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:*:*:key/*"}
        ),
        {"iam-no-wildcard-resources"},
    ),
    "AdministratorAccess attached to the role": (
        _administrator_access,
        {"iam-no-broad-managed-policies"},
    ),
    "public read in the input bucket policy": (
        _edit_bucket_policy("media-input-policy", _public_read),
        {"s3-bucket-policy-no-public-access"},
    ),
    "TLS deny on the bucket ARN only": (
        _edit_bucket_policy("media-output-policy", _tls_deny_on_bucket_arn_only),
        {"s3-bucket-deny-insecure-transport"},
    ),
    "key policy lets everyone decrypt": (
        _add_key_statement(
            {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
        ),
        {"kms-key-policy-no-public-access"},
    ),
    "key policy gives another account kms:*": (
        _add_key_statement(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ),
        {"kms-key-policy-no-cross-account-admin"},
    ),
    "public-read canned ACL on the input bucket": (_bucket_acl, {"s3-acl-no-public-access"}),
    "public-read canned ACL on the manifest": (_object_acl, {"s3-acl-no-public-access"}),
    "hand-written BucketAclV2 granting AllUsers": (
        _public_bucket_acl_resource,
        {"s3-acl-no-public-access"},
    ),
    "ownership controls keep ACLs (advisory)": (
        _ownership_object_writer,
        {"s3-bucket-ownership-enforced"},
    ),
    "manifest with S3-managed encryption": (_object_s3_managed, {"s3-object-kms-encryption"}),
    "manifest with another KMS key": (_object_other_key, {"s3-object-kms-key-matches-bucket"}),
    "hand-written role anyone can assume": (
        _public_role,
        {"iam-role-trust-policy-no-public-access"},
    ),
    "a batch within the limit, on the job's buckets and key": (
        lambda stack: _batch(stack, max_images=50_000),
        set(),
    ),
    "a batch without max_images": (_batch, {"media-analysis-batch-max-images"}),
}


def _mutations() -> Iterator[Any]:
    for case, (mutate, expected) in MUTATIONS.items():
        yield pytest.param(mutate, expected, id=case)


@pytest.mark.parametrize(("mutate", "expected"), list(_mutations()))
def test_mutated_example_stack_is_caught(
    managed: list[Recorded], mutate: Callable[[list[Recorded]], None], expected: set[str]
) -> None:
    mutate(managed)
    evaluation = evaluate(managed)
    assert evaluation.policies == expected, evaluation.text


def test_every_policy_is_exercised_by_a_mutation() -> None:
    caught = set().union(*(expected for _, expected in MUTATIONS.values()))
    caught.add("kms-key-deletion-window")  # test_deletion_window_below_a_team_minimum_is_caught
    assert caught == {p.name for p in all_policies()}


def test_deletion_window_below_a_team_minimum_is_caught(managed: list[Recorded]) -> None:
    """The example's key keeps AWS's shortest window (7 days), the policy's default minimum;
    a team asking for more gets the advisory violation."""
    assert one(managed, KEY).inputs["deletionWindowInDays"] == 7
    evaluation = evaluate(
        managed, config={"kms-key-deletion-window": {"minimumDeletionWindowDays": 14}}
    )
    assert evaluation.policies == {"kms-key-deletion-window"}, evaluation.text
    assert [v.level for v in evaluation.violations] == ["advisory"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(_job_without_key, {"media-analysis-job-kms-key"}, id="no kms_key_id"),
        pytest.param(_low_confidence, {"media-analysis-job-min-confidence"}, id="low confidence"),
    ],
)
def test_mutated_existing_stack_is_caught(
    existing: list[Recorded], mutate: Callable[[list[Recorded]], None], expected: set[str]
) -> None:
    mutate(existing)
    assert evaluate(existing).policies == expected
