"""Pulumi mocks that record every registration, and the example stack they run.

``RecordingMocks`` records each resource registration with its type, name, inputs, parent
URN and dependency URNs, and returns plausible outputs (bucket names/ARNs, key ids/ARNs,
policy ARNs, job outputs) so the components' outputs resolve. The component tests use it
through the ``mocks`` and ``deploy`` fixtures (tests/components/conftest.py); the policy
tests run the example stack under it.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

from rekognition_media.api.resources import JOB_TYPE_TOKEN, PLUGIN_JOB_TYPE_TOKEN
from tests.support import ROOT

with warnings.catch_warnings():
    # pulumi_aws.s3 warns at import time about its own deprecated *V2 aliases, which
    # the components do not use.
    warnings.simplefilter("ignore", DeprecationWarning)
    import pulumi_aws

    pulumi_aws.s3.Bucket  # noqa: B018 (loads the lazily imported module now)

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
JOB_TYPE = JOB_TYPE_TOKEN

# The example stack (Pulumi.yaml and __main__.py at the repository root).
EXAMPLE_PROGRAM = ROOT / "__main__.py"
EXISTING_KEY = "arn:aws:kms:us-east-1:123456789012:key/0f0f0f0f-1111-2222-3333-444444444444"
EXISTING_POLICY = "arn:aws:iam::123456789012:policy/media-analysis"


def fake_key_id(name: str) -> str:
    h = hashlib.sha256(name.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


@dataclass
class Registration:
    typ: str
    name: str
    inputs: dict[str, Any]
    meta: dict[tuple[str, str], tuple[str, str, list[str]]] = field(repr=False)

    @property
    def urn(self) -> str:
        return self.meta[(self.typ, self.name)][0]

    @property
    def parent(self) -> str:
        return self.meta[(self.typ, self.name)][1]

    @property
    def dependencies(self) -> list[str]:
        return self.meta[(self.typ, self.name)][2]

    def policy(self) -> dict[str, Any]:
        """The resource's ``policy`` input, parsed."""
        parsed: dict[str, Any] = json.loads(self.inputs["policy"])
        return parsed


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registrations: list[Registration] = []
        # (type, name) -> (urn, parent urn, dependency urns), filled in by RecordingMonitor
        self.meta: dict[tuple[str, str], tuple[str, str, list[str]]] = {}
        self.calls: list[pulumi.runtime.MockCallArgs] = []

    # --- the engine side -------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        self.registrations.append(Registration(args.typ, args.name, dict(args.inputs), self.meta))
        outs: dict[str, Any] = dict(args.inputs)
        rid: str = f"{args.name}-id"
        if args.typ == "aws:s3/bucket:Bucket":
            bucket = args.inputs.get("bucket") or f"{args.name}-0a1b2c3"
            outs.update(bucket=bucket, arn=f"arn:aws:s3:::{bucket}")
            rid = bucket
        elif args.typ == "aws:kms/key:Key":
            key_id = fake_key_id(args.name)
            outs.update(keyId=key_id, arn=f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/{key_id}")
            rid = key_id
        elif args.typ == "aws:kms/alias:Alias":
            alias = args.inputs.get("name") or f"{args.inputs['namePrefix']}0a1b2c3"
            outs.update(name=alias, arn=f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:{alias}")
            rid = alias
        elif args.typ == "aws:iam/policy:Policy":
            name = args.inputs.get("name") or f"{args.inputs['namePrefix']}0a1b2c3"
            outs.update(name=name, arn=f"arn:aws:iam::{ACCOUNT_ID}:policy/{name}")
            rid = outs["arn"]
        elif args.typ == JOB_TYPE:
            job_id = f"job-{args.name}"
            output = args.inputs["output_config"]
            base = f"s3://{output['s3_bucket']}/{output.get('s3_key_prefix') or ''}{job_id}"
            outs.update(
                job_id=job_id,
                status="SUCCEEDED",
                results_uri=f"{base}/results.jsonl",
                manifest_summary_uri=f"{base}/manifest-summary.json",
            )
            rid = job_id
        elif args.typ == PLUGIN_JOB_TYPE_TOKEN:  # the plugin's job: camelCase properties
            job_id = f"job-{args.name}"
            output = args.inputs["outputConfig"]
            base = f"s3://{output['s3Bucket']}/{output.get('s3KeyPrefix') or ''}{job_id}"
            outs.update(
                jobId=job_id,
                status="SUCCEEDED",
                resultsUri=f"{base}/results.jsonl",
                manifestSummaryUri=f"{base}/manifest-summary.json",
            )
            rid = job_id
        return rid, outs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        self.calls.append(args)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return (
                {
                    "accountId": "210987654321",
                    "arn": "arn:aws:iam::210987654321:user/ci",
                    "id": "210987654321",
                    "userId": "AIDAEXAMPLE",
                },
                [],
            )
        raise NotImplementedError(f"unexpected invoke {args.token}")

    # --- queries for the tests ---------------------------------------------------------
    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.registrations if r.typ == typ]

    def one(self, typ: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(typ) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {typ} {name or ''}, got {[r.name for r in found]}"
        return found[0]

    def named(self, name: str) -> Registration:
        found = [r for r in self.registrations if r.name == name]
        assert len(found) == 1, f"expected one resource named {name}, got {len(found)}"
        return found[0]

    def aws(self) -> list[Registration]:
        return [r for r in self.registrations if r.typ.startswith("aws:")]

    def type_counts(self, prefix: str = "") -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.registrations:
            if r.typ.startswith(prefix):
                counts[r.typ] = counts.get(r.typ, 0) + 1
        return counts


class RecordingMonitor(MockMonitor):
    """Adds what ``MockResourceArgs`` leaves out: the parent and the dependencies."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.recording = mocks

    def RegisterResource(self, request: Any) -> Any:
        # Registrations arrive on several threads at once: record before delegating.
        urn = self.make_urn(request.parent, request.type, request.name)
        key = (request.type, request.name)
        assert key not in self.recording.meta, f"registered twice: {key}"
        self.recording.meta[key] = (urn, request.parent, list(request.dependencies))
        return super().RegisterResource(request)
