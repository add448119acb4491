"""Benchmark: the whole policy pack over stacks of N compliant resources, in-process.

    .venv/bin/python bench/policy_pack.py                     # --sizes 1000 4000 10000 --repeat 3
    .venv/bin/python bench/policy_pack.py --baseline 525e807  # also the pack of that commit

A stack is built from units of eight resources, every one compliant with every policy:
a customer-managed KMS key (rotation on, default key policy), an S3 bucket, its
``BucketServerSideEncryptionConfiguration`` (aws:kms, that key, bucket key on), its
``BucketPublicAccessBlock`` (all four on), its ``BucketPolicy`` (the TLS-only Deny on the
bucket and its objects), an IAM policy (s3:GetObject on the bucket's objects, kms:Decrypt on
the key), a ``MediaAnalysisJob`` writing into the bucket under the key and a
``MediaAnalysisBatch`` (a prefix of the bucket, ``max_images`` within the limit) writing
there under the same key. Links are recorded
the way the engine records ``bucket=b.id``: by value and as a property dependency.

The resources go through pulumi_policy's own analyzer servicer, the code the CLI talks to
over gRPC (no engine, no gRPC): ``Analyze`` once per resource (every resource policy) and
``AnalyzeStack`` once (every stack policy); each call unmarshals the protobuf properties as
it does under the CLI. The figure per N is the median wall time of ``--repeat`` runs; the
number of diagnostics (violations, mandatory or advisory) must be 0: the stacks are
compliant, so any diagnostic is a false positive and the run fails.

With ``--baseline REV`` the same stacks also run through the pack as it was at REV (its
``policies/`` and ``rekognition_media/`` extracted with ``git archive`` into a temporary
directory and imported from there), each variant in a subprocess of its own, in this run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STACK = "urn:pulumi:bench::media::"
ACCOUNT = "111122223333"
JOB_TYPE = "pulumi-python:dynamic/rekognition:MediaAnalysisJob"
BATCH_TYPE = "pulumi-python:dynamic/rekognition:MediaAnalysisBatch"
UNIT = 8


def _urn(resource_type: str, name: str) -> str:
    return f"{STACK}{resource_type}::{name}"


def unit(i: int) -> list[dict[str, Any]]:
    """Eight compliant resources: (type, name, props, property dependencies by property)."""
    key_id = f"0000{i:04d}-12ab-34cd-56ef-1234567890ab"
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}"
    bucket = f"media-{i:06d}"
    bucket_arn = f"arn:aws:s3:::{bucket}"
    key_urn = _urn("aws:kms/key:Key", f"key-{i}")
    bucket_urn = _urn("aws:s3/bucket:Bucket", f"bucket-{i}")
    tls = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    access = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{bucket_arn}/*"},
            {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key_arn},
        ],
    }
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    return [
        {
            "type": "aws:kms/key:Key",
            "name": f"key-{i}",
            "props": {
                "enableKeyRotation": True,
                "deletionWindowInDays": 30,
                "keyId": key_id,
                "arn": key_arn,
                "policy": json.dumps(key_policy),
            },
            "deps": {},
        },
        {
            "type": "aws:s3/bucket:Bucket",
            "name": f"bucket-{i}",
            "props": {"bucket": bucket, "id": bucket, "arn": bucket_arn},
            "deps": {},
        },
        {
            "type": "aws:s3/bucketServerSideEncryptionConfiguration:"
            "BucketServerSideEncryptionConfiguration",
            "name": f"sse-{i}",
            "props": {
                "bucket": bucket,
                "rules": [
                    {
                        "applyServerSideEncryptionByDefault": {
                            "sseAlgorithm": "aws:kms",
                            "kmsMasterKeyId": key_arn,
                        },
                        "bucketKeyEnabled": True,
                    }
                ],
            },
            "deps": {"bucket": [bucket_urn], "rules": [key_urn]},
        },
        {
            "type": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "name": f"pab-{i}",
            "props": {
                "bucket": bucket,
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
            "deps": {"bucket": [bucket_urn]},
        },
        {
            "type": "aws:s3/bucketPolicy:BucketPolicy",
            "name": f"tls-{i}",
            "props": {"bucket": bucket, "policy": json.dumps(tls)},
            "deps": {"bucket": [bucket_urn], "policy": [bucket_urn]},
        },
        {
            "type": "aws:iam/policy:Policy",
            "name": f"access-{i}",
            "props": {"policy": json.dumps(access)},
            "deps": {"policy": [bucket_urn, key_urn]},
        },
        {
            "type": JOB_TYPE,
            "name": f"job-{i}",
            "props": {
                "job_name": f"moderate-{i}",
                "operations_config": {"detect_moderation_labels": {"min_confidence": 80.0}},
                "input": {"s3_object": {"bucket": bucket, "name": "manifest.jsonl"}},
                "output_config": {"s3_bucket": bucket, "s3_key_prefix": "results/"},
                "kms_key_id": key_arn,
            },
            "deps": {"output_config": [bucket_urn], "kms_key_id": [key_urn]},
        },
        {
            "type": BATCH_TYPE,
            "name": f"batch-{i}",
            "props": {
                "job_name": f"nightly-{i}",
                "source": {"bucket": bucket, "prefix": "uploads/"},
                "max_images": 50_000,
                "operations_config": {"detect_moderation_labels": {"min_confidence": 80.0}},
                "output_config": {"s3_bucket": bucket, "s3_key_prefix": "batches/"},
                "kms_key_id": key_arn,
            },
            "deps": {
                "source": [bucket_urn],
                "output_config": [bucket_urn],
                "kms_key_id": [key_urn],
            },
        },
    ]


def stack(n: int) -> list[dict[str, Any]]:
    """Whole units, then (N not a multiple of UNIT) the remainder as the keys of further units."""
    units, rest = divmod(n, UNIT)
    resources = [r for i in range(units) for r in unit(i)]
    return resources + [unit(units + i)[0] for i in range(rest)]


# --- the child: one variant of the pack, every size -------------------------------------------


def _requests(resources: list[dict[str, Any]]) -> tuple[list[Any], Any]:
    from google.protobuf import struct_pb2
    from pulumi.runtime import proto

    analyze = []
    stack_resources = []
    for r in resources:
        props = struct_pb2.Struct()
        props.update(r["props"])
        urn = _urn(r["type"], r["name"])
        deps = sorted({u for us in r["deps"].values() for u in us})
        analyze.append(
            proto.AnalyzeRequest(type=r["type"], properties=props, urn=urn, name=r["name"])
        )
        stack_resources.append(
            proto.AnalyzerResource(
                type=r["type"],
                properties=props,
                urn=urn,
                name=r["name"],
                dependencies=deps,
                propertyDependencies={
                    k: proto.AnalyzerPropertyDependencies(urns=v) for k, v in r["deps"].items()
                },
            )
        )
    return analyze, proto.AnalyzeStackRequest(resources=stack_resources)


def _no_op(policies: list[Any]) -> list[Any]:
    """Policies of the same names and kinds that check nothing: what the SDK costs alone."""
    from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

    def nothing(args: Any, report: Any) -> None:
        return None

    return [
        (
            ResourceValidationPolicy
            if isinstance(p, ResourceValidationPolicy)
            else StackValidationPolicy
        )(name=p.name, description=p.description, validate=nothing)
        for p in policies
    ]


Run = Callable[[list[str]], float]
"""One pass of the pack over the stack: appends the diagnostics, returns when the resource
policies were done (the stack policies run after that)."""


def _servicer_run(policies: list[Any], resources: list[dict[str, Any]]) -> Run:
    """Through pulumi_policy's analyzer servicer, as under the CLI: every ``Analyze`` and
    every stack policy of ``AnalyzeStack`` unmarshals the properties again."""
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    servicer = _PolicyAnalyzerServicer("bench", "0.0.1", policies, EnforcementLevel.MANDATORY)
    analyze, analyze_stack = _requests(resources)

    def run(diagnostics: list[str]) -> float:
        for request in analyze:
            response = servicer.Analyze(request, None)
            diagnostics += [f"{d.policyName}: {d.message}" for d in response.diagnostics]
        middle = time.perf_counter()
        response = servicer.AnalyzeStack(analyze_stack, None)
        diagnostics += [f"{d.policyName}: {d.message}" for d in response.diagnostics]
        return middle

    return run


def _harness_run(policies: list[Any], resources: list[dict[str, Any]]) -> Run:
    """As devtools/policy_harness.py drives the policies: each resource's properties are
    unmarshalled once (protobuf Struct, deserialize, unknown-checking proxy; timed), then
    every resource policy's ``validate`` runs on them and every stack policy's on one list
    of ``PolicyResource`` with parents and property dependencies linked."""
    from pulumi_policy import (
        PolicyResource,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
    )
    from pulumi_policy.policy import _NotApplicableError

    from devtools.policy_harness import analyze_props, options

    resource_policies = [p for p in policies if isinstance(p, ResourceValidationPolicy)]
    stack_policies = [p for p in policies if not isinstance(p, ResourceValidationPolicy)]

    def run(diagnostics: list[str]) -> float:
        def reporter(name: str) -> Callable[..., None]:
            return lambda message, urn=None: diagnostics.append(f"{name}: {message}")

        engine = [(r, _urn(r["type"], r["name"]), analyze_props(r["props"])) for r in resources]
        for r, urn, props in engine:
            for policy in resource_policies:
                args = ResourceValidationArgs(r["type"], props, urn, r["name"], options(), None)
                with contextlib.suppress(_NotApplicableError):
                    policy.validate(args, reporter(policy.name))
        middle = time.perf_counter()
        by_urn: dict[str, Any] = {}
        for r, urn, props in engine:
            by_urn[urn] = PolicyResource(
                r["type"], props, urn, r["name"], options(), None, None, [], {}
            )
        for r, urn, _ in engine:
            resource = by_urn[urn]
            resource.property_dependencies = {
                k: [by_urn[u] for u in v] for k, v in r["deps"].items()
            }
            resource.dependencies = list(
                {id(d): d for ds in resource.property_dependencies.values() for d in ds}.values()
            )
        stack_resources = list(by_urn.values())
        for policy in stack_policies:
            with contextlib.suppress(_NotApplicableError):
                policy.validate(StackValidationArgs(stack_resources, None), reporter(policy.name))
        return middle

    return run


def child(sizes: list[int], repeat: int, floor: bool, servicer: bool) -> None:
    sys.path.append(str(ROOT))  # devtools.policy_harness; after PYTHONPATH (--baseline)
    import rekognition_media.policies
    from rekognition_media.policies import all_policies

    print(f"policies from {Path(rekognition_media.policies.__file__).parent}", file=sys.stderr)

    policies = _no_op(all_policies()) if floor else all_policies()
    results = []
    for n in sizes:
        resources = stack(n)
        run = (_servicer_run if servicer else _harness_run)(policies, resources)
        walls, resource_walls, stack_walls, cpus = [], [], [], []
        diagnostics: list[str] = []
        for _ in range(repeat):
            diagnostics = []
            cpu = time.process_time()
            start = time.perf_counter()
            middle = run(diagnostics)
            end = time.perf_counter()
            cpus.append(time.process_time() - cpu)
            walls.append(end - start)
            resource_walls.append(middle - start)
            stack_walls.append(end - middle)
        results.append(
            {
                "n": n,
                "wall": statistics.median(walls),
                "cpu": statistics.median(cpus),
                "resource": statistics.median(resource_walls),
                "stack": statistics.median(stack_walls),
                "diagnostics": len(diagnostics),
                "first": diagnostics[:3],
            }
        )
    print(json.dumps(results))


# --- the parent: variants in subprocesses, one table -----------------------------------------


def _extract(rev: str, into: Path) -> str:
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", sha, "policies", "rekognition_media"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return sha


def _run(
    sizes: list[int], repeat: int, pythonpath: Path | None, servicer: bool, floor: bool = False
) -> list[dict[str, Any]]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    command = [sys.executable, __file__, "--child", "--sizes", *map(str, sizes)]
    done = subprocess.run(
        [
            *command,
            *("--repeat", str(repeat)),
            *(["--floor"] if floor else []),
            *(["--servicer"] if servicer else []),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    print(done.stderr.strip())
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", help="a git revision whose pack also runs, e.g. main")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run no-op policies of the same names: the SDK's own unmarshalling",
    )
    parser.add_argument(
        "--servicer",
        action="store_true",
        help="through pulumi_policy's analyzer servicer (unmarshalling per policy, as under "
        "the CLI) instead of the way devtools/policy_harness.py runs the policies",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.sizes, args.repeat, args.floor, args.servicer)
        return
    variants: list[tuple[str, list[dict[str, Any]]]] = []
    with tempfile.TemporaryDirectory(prefix="policy-pack-base-") as tmp:
        if args.baseline:
            sha = _extract(args.baseline, Path(tmp))
            variants.append(
                (f"baseline {sha}", _run(args.sizes, args.repeat, Path(tmp), args.servicer))
            )
        variants.append(("this tree", _run(args.sizes, args.repeat, None, args.servicer)))
        if args.floor:
            variants.append(
                ("no-op policies", _run(args.sizes, args.repeat, None, args.servicer, floor=True))
            )
    mode = "analyzer servicer" if args.servicer else "as devtools/policy_harness.py"
    print(f"median of {args.repeat} runs, {mode}; N resources in units of {UNIT}")
    header = f"{'variant':<18}{'N':>8}{'whole pack':>12}{'resource':>10}{'stack':>9}"
    print(f"{header}{'CPU':>9}{'diag':>6}")
    failed = False
    for name, results in variants:
        for r in results:
            print(
                f"{name:<18}{r['n']:>8,}{r['wall']:>11.2f}s{r['resource']:>9.2f}s"
                f"{r['stack']:>8.2f}s{r['cpu']:>8.2f}s{r['diagnostics']:>6}"
            )
            if r["diagnostics"]:
                failed = True
                for line in r["first"]:
                    print(f"    false positive: {line[:300]}")
    if args.baseline:
        base = {r["n"]: r["wall"] for r in variants[0][1]}
        ratios = ", ".join(f"N={r['n']:,}: {base[r['n']] / r['wall']:.1f}x" for r in variants[1][1])
        print(f"speed-up against the baseline: {ratios}")
    if failed:
        sys.exit("false positives: the stacks are compliant, every diagnostic is wrong")


if __name__ == "__main__":
    main()
