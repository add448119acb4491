"""Run the example stack end to end against the embedded emulator, with no AWS account.

    scripts/quickstart.sh            # sets up, then runs this

1. Starts the Rekognition media emulator (S3, KMS, IAM, STS and Rekognition media
   analysis on one local port).
2. Picks the mode. ``managed`` (the example's default) creates the key, the buckets and
   the access policy with pulumi-aws; it needs the pulumi-aws plugin. Where the plugin is
   not installed (machines without internet), ``existing`` (bring-your-own) mode creates
   the same key, buckets and policy in the emulator with boto3, from the same policy
   documents the components use, uploads the samples, and gives them to the stack.
3. Runs ``pulumi up`` of the example stack (Pulumi.yaml and __main__.py at the repository
   root) through the real Pulumi CLI, prints the job's status and where its results are,
   reads the manifest summary, prints what the job found (the stack's
   ``moderation_summary`` output: the samples carry labels, two of three are flagged), and
   destroys the stack.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from devtools.engine import EngineStack, cli_bin_dir
from devtools.media import SAMPLE_MANIFEST_KEY, sample_images, sample_metadata
from rekognition_media.api.manifest import manifest_jsonl, parse_summary
from rekognition_media.components.documents import access_policy_document, key_policy_document
from rekognition_media.core.summary import ModerationSummary, summary_lines
from rekognition_media.emulator import Emulator, EmulatorSettings

REPO = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
# The stack lives in a throwaway file backend; its secrets need a passphrase all the same.
PASSPHRASE = "rekognition-media-quickstart"
# The emulator accepts any credentials; these are not secrets.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "quickstart", "AWS_SECRET_ACCESS_KEY": "quickstart"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("auto", "managed", "existing"), default="auto")
    parser.add_argument("--job-seconds", type=float, default=3.0, help="emulated job duration")
    parser.add_argument("--keep", action="store_true", help="keep the stack (skip destroy)")
    parser.add_argument(
        "--report", type=Path, default=Path("report.html"), help="where to write the HTML report"
    )
    args = parser.parse_args()

    bin_dir = cli_bin_dir()
    mode = (
        args.mode if args.mode != "auto" else ("managed" if has_aws_plugin(bin_dir) else "existing")
    )
    settings = EmulatorSettings(created_delay=0, queue_delay=0, job_duration=args.job_seconds)
    with Emulator(settings, host="127.0.0.1", port=0) as emulator:
        print(f"emulator: {emulator.url}")
        state_dir = Path(tempfile.mkdtemp(prefix="rekognition-media-quickstart-"))
        stack = EngineStack(
            program_dir=REPO,
            state_dir=state_dir,
            bin_dir=bin_dir,
            stack_name="quickstart",
            passphrase=PASSPHRASE,
            env={**DUMMY_CREDENTIALS, "AWS_REGION": REGION},
            config=stack_config(emulator, mode),
        )
        print(f"mode: {mode} ({MODE_NOTES[mode]})")
        print("pulumi up ...")
        up = stack.stack.up(on_output=print, color="never")
        outputs = stack.outputs()
        report(emulator, outputs, up.summary.resource_changes or {})
        write_html_report(emulator, outputs, args.report)
        if not args.keep:
            stack.destroy()
            print("pulumi destroy: done (Rekognition keeps jobs: only the stack state is gone)")
        shutil.rmtree(state_dir, ignore_errors=True)


MODE_NOTES = {
    "managed": "pulumi-aws creates the key, buckets and policy in the emulator",
    "existing": "the pulumi-aws plugin is not installed, so the key, buckets and policy were "
    "created in the emulator with boto3 from the components' own policy documents, and the "
    "stack runs in bring-your-own mode",
}


def has_aws_plugin(bin_dir: Path) -> bool:
    """Whether the engine could load pulumi-aws: on PATH, beside the CLI or installed."""
    if shutil.which("pulumi-resource-aws") or (bin_dir / "pulumi-resource-aws").exists():
        return True
    home = Path(os.environ.get("PULUMI_HOME", Path.home() / ".pulumi"))
    return any((home / "plugins").glob("resource-aws-v*"))


def stack_config(emulator: Emulator, mode: str) -> dict[str, str]:
    config = {
        "rekognition-media:mode": mode,
        "rekognition-media:endpointUrl": emulator.url,
        "rekognition-media:region": REGION,
        "aws:region": REGION,
    }
    if mode == "managed":
        endpoints = [{service: emulator.url for service in ("s3", "kms", "iam", "sts")}]
        config |= {
            "aws:skipCredentialsValidation": "true",
            "aws:skipRequestingAccountId": "true",
            "aws:s3UsePathStyle": "true",
            "aws:endpoints": json.dumps(endpoints),
            "rekognition-media:accountId": "123456789012",
        }
        return config
    return config | bring_your_own(emulator)


def bring_your_own(emulator: Emulator) -> dict[str, str]:
    """The key, buckets, policy and samples, created in the emulator with boto3."""
    kms, s3, iam, sts = (
        emulator.client(s, region_name=REGION) for s in ("kms", "s3", "iam", "sts")
    )
    account = sts.get_caller_identity()["Account"]
    key_arn = kms.create_key(
        Description="rekognition-media quickstart",
        Policy=json.dumps(key_policy_document(account, [])),
    )["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key_arn)
    buckets = {"input": f"media-input-{account}", "output": f"media-output-{account}"}
    for bucket in buckets.values():
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": key_arn,
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        )
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        # The TLS-only bucket policy is not attached here: the emulator serves plain HTTP
        # and moto evaluates its aws:SecureTransport condition as always matching.
    images, labels = sample_images(), sample_metadata()
    encrypted = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn}
    for key, body in images.items():
        # The metadata is what the emulator "detects" in the image (it reads no pixels).
        s3.put_object(
            Bucket=buckets["input"], Key=key, Body=body, Metadata=labels[key], **encrypted
        )
    s3.put_object(
        Bucket=buckets["input"],
        Key=SAMPLE_MANIFEST_KEY,
        Body=manifest_jsonl(buckets["input"], sorted(images)).encode(),
        **encrypted,
    )
    document = access_policy_document(
        f"arn:aws:s3:::{buckets['input']}",
        "",
        f"arn:aws:s3:::{buckets['output']}",
        "results/",
        key_arn,
    )
    policy_arn = iam.create_policy(
        PolicyName="rekognition-media-quickstart", PolicyDocument=json.dumps(document)
    )["Policy"]["Arn"]
    return {
        "rekognition-media:inputBucket": buckets["input"],
        "rekognition-media:outputBucket": buckets["output"],
        "rekognition-media:kmsKeyArn": key_arn,
        "rekognition-media:accessPolicyArn": policy_arn,
    }


def report(emulator: Emulator, outputs: dict[str, Any], changes: dict[str, int]) -> None:
    print()
    print(f"resources: {changes}")
    print(f"job:       {outputs.get('job_id')}")
    print(f"status:    {outputs.get('status')}")
    print(f"results:   {outputs.get('results_uri')}")
    print(f"summary:   {outputs.get('manifest_summary_uri')}")
    summary_uri = outputs.get("manifest_summary_uri")
    if summary_uri:
        bucket, key = summary_uri.removeprefix("s3://").split("/", 1)
        body = emulator.client("s3", region_name=REGION).get_object(Bucket=bucket, Key=key)
        stats = parse_summary(body["Body"].read()).statistics
        print(f"images:    {stats.valid} analysed, {stats.invalid} invalid, of {stats.total}")
    found = outputs.get("moderation_summary")
    if found:
        print()
        print("what the job found (stack output moderation_summary):")
        for line in summary_lines(ModerationSummary.model_validate(found)):
            print(f"  {line}")


def write_html_report(emulator: Emulator, outputs: dict[str, Any], page: Path) -> None:
    """Run the report command as a user would (its own process, the standard credential
    chain, the endpoint from AWS_ENDPOINT_URL) and say where the page is."""
    job_id = outputs.get("job_id")
    if outputs.get("status") != "SUCCEEDED" or not job_id:
        return
    command = [sys.executable, "-m", "rekognition_media.report", "report", job_id]
    env = {
        **os.environ,
        **DUMMY_CREDENTIALS,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": emulator.url,
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        [*command, "--html", str(page)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        print(f"report:    {page.resolve()} (rekognition-media report {job_id} --html {page})")
    else:
        print(f"report:    not written: {done.stderr.strip()}")


if __name__ == "__main__":
    main()
