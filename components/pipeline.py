"""``MediaAnalysisPipeline``: input bucket, output bucket, key, access policy and
(optionally) the sample uploads and a ``MediaAnalysisJob`` wired together."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import pulumi
import pulumi_aws as aws

from rekognition_media.api.manifest import manifest_jsonl
from rekognition_media.api.resources import PIPELINE_TYPE_TOKEN
from rekognition_media.providers import (
    DetectModerationLabelsArgs,
    MediaAnalysisInputArgs,
    MediaAnalysisJob,
    MediaAnalysisJobArgs,
    OperationsConfigArgs,
    OutputConfigArgs,
    S3ObjectArgs,
)

from .access import MediaAnalysisAccess, MediaAnalysisAccessArgs
from .bucket import EncryptedBucket, EncryptedBucketArgs
from .key import MIN_DELETION_WINDOW_DAYS, MediaAnalysisKey, MediaAnalysisKeyArgs
from .key import validate_deletion_window as _validate_deletion_window

_CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _content_type(key: str) -> str:
    for suffix, content_type in _CONTENT_TYPES.items():
        if key.lower().endswith(suffix):
            return content_type
    return "application/octet-stream"


def _resource_suffix(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in key)


class PipelineJob(Protocol):
    """The job outputs the pipeline reads: ``MediaAnalysisJob``'s, or the ``rekognition-media``
    plugin's job when the plugin serves this component (``rekognition_media.plugin.components``)."""

    @property
    def job_id(self) -> pulumi.Output[str]: ...
    @property
    def status(self) -> pulumi.Output[str]: ...
    @property
    def results_uri(self) -> pulumi.Output[str | None]: ...
    @property
    def manifest_summary_uri(self) -> pulumi.Output[str | None]: ...


@dataclass
class MediaAnalysisPipelineArgs:
    # --- the KMS key -------------------------------------------------------------
    key_user_arns: pulumi.Input[Sequence[pulumi.Input[str]]] = field(default_factory=list)
    """Principals the key policy lets use the key (besides IAM delegation via the root)."""
    account_id: pulumi.Input[str] | None = None
    """For the key policy; looked up with ``aws.get_caller_identity`` when absent."""
    deletion_window_in_days: int = MIN_DELETION_WINDOW_DAYS
    """The key's deletion waiting period: 7 (default) to 30 days."""
    key_alias_name: pulumi.Input[str] | None = None
    """Full alias name of the key (``alias/...``); ``alias/rekognition-media-<random>``
    when absent."""
    existing_key_arn: pulumi.Input[str] | None = None
    """ARN of an existing KMS key; no key is created."""
    # --- the buckets -------------------------------------------------------------
    input_bucket_name: pulumi.Input[str] | None = None
    """Physical name of the created input bucket; auto-named when absent."""
    output_bucket_name: pulumi.Input[str] | None = None
    """Physical name of the created output bucket; auto-named when absent."""
    existing_input_bucket_name: pulumi.Input[str] | None = None
    """Name or ARN of an existing input bucket; nothing is created for it."""
    existing_output_bucket_name: pulumi.Input[str] | None = None
    """Name or ARN of an existing output bucket; nothing is created for it."""
    force_destroy: pulumi.Input[bool] = False
    """Let ``pulumi destroy`` delete created buckets that still hold objects."""
    results_expire_after_days: int | None = None
    """Expire results under ``output_prefix`` in the (created) output bucket."""
    # --- the access policy -------------------------------------------------------
    input_prefix: pulumi.Input[str] = ""
    """The access policy reads only under this prefix; "" = the whole input bucket."""
    output_prefix: pulumi.Input[str] = "results/"
    """Where the job writes (its ``S3KeyPrefix``); the access policy writes only here."""
    role_name: pulumi.Input[str] | None = None
    """Attach the access policy to this IAM role."""
    user_name: pulumi.Input[str] | None = None
    """Attach the access policy to this IAM user."""
    policy_name: pulumi.Input[str] | None = None
    """IAM policy name; ``rekognition-media-<random>`` when absent."""
    existing_policy_arn: pulumi.Input[str] | None = None
    """ARN of an existing access policy; none is created."""
    # --- what goes into the input bucket -----------------------------------------
    input_objects: Mapping[str, bytes] | None = None
    """Objects (key -> bytes) uploaded to the input bucket, SSE-KMS with the key,
    before the job starts."""
    input_object_metadata: Mapping[str, Mapping[str, str]] | None = None
    """S3 user metadata (key -> name -> value) of some of ``input_objects``; the
    emulator reads an image's moderation labels from it (the example's samples)."""
    manifest_key: pulumi.Input[str] | None = None
    """Key of the JSON Lines manifest in the input bucket. When given, the pipeline runs
    a ``MediaAnalysisJob`` on it."""
    manifest_image_keys: Sequence[str] | None = None
    """When given, the pipeline writes the manifest at ``manifest_key`` itself, listing
    these keys of the input bucket."""
    # --- the job -------------------------------------------------------------------
    min_confidence: pulumi.Input[float] | None = None
    """The job's minimum confidence (0-100) for a moderation label."""
    job_name: pulumi.Input[str] | None = None
    """The job's name."""
    endpoint_url: pulumi.Input[str] | None = None
    """Rekognition endpoint for the job (e.g. the local emulator)."""
    region: pulumi.Input[str] | None = None
    """AWS region of the job."""
    # --- general -------------------------------------------------------------------
    partition: str = "aws"
    """AWS partition of the ARNs built here."""
    tags: Mapping[str, pulumi.Input[str]] | None = None
    """Tags of every created resource that takes tags."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        _validate_deletion_window(
            self.deletion_window_in_days, "MediaAnalysisPipelineArgs.deletion_window_in_days"
        )
        if self.manifest_image_keys is not None and self.manifest_key is None:
            raise ValueError(
                "MediaAnalysisPipelineArgs.manifest_key: got None, required when "
                "manifest_image_keys is given (where should the manifest go?)"
            )
        unknown = sorted(set(self.input_object_metadata or {}) - set(self.input_objects or {}))
        if unknown:
            raise ValueError(
                f"MediaAnalysisPipelineArgs.input_object_metadata: got metadata for {unknown}, "
                "which input_objects does not upload"
            )
        if self.manifest_image_keys is not None and not list(self.manifest_image_keys):
            raise ValueError(
                "MediaAnalysisPipelineArgs.manifest_image_keys: got an empty list, "
                "a manifest lists at least one image"
            )


class MediaAnalysisPipeline(pulumi.ComponentResource):
    """Everything a media-analysis job needs, encrypted end to end, plus the job.

    Bring-your-own: each of the key, the two buckets and the policy can be passed in
    (``existing_*``); what is passed in is not created. With all four passed in and no
    ``input_objects``/``manifest_image_keys``/role/user, the pipeline creates no
    pulumi-aws resource at all (only the job).
    """

    input_bucket_name: pulumi.Output[str]
    """Name of the input bucket (the manifest and the images)."""
    input_bucket_arn: pulumi.Output[str]
    """ARN of the input bucket."""
    output_bucket_name: pulumi.Output[str]
    """Name of the output bucket (results and manifest summaries)."""
    output_bucket_arn: pulumi.Output[str]
    """ARN of the output bucket."""
    key_arn: pulumi.Output[str]
    """ARN of the KMS key encrypting inputs and results."""
    policy_arn: pulumi.Output[str]
    """ARN of the access policy for running the job."""
    job_id: pulumi.Output[str] | None
    """The job's JobId, when the pipeline runs a job (``manifest_key`` given)."""
    job_status: pulumi.Output[str] | None
    """The job's status (its ``Status`` in GetMediaAnalysisJob), when the pipeline runs a
    job."""
    results_uri: pulumi.Output[str | None] | None
    """``s3://`` URI of the job's results (JSON Lines), once it SUCCEEDED."""
    manifest_summary_uri: pulumi.Output[str | None] | None
    """``s3://`` URI of the job's manifest summary, once it SUCCEEDED."""

    key: MediaAnalysisKey
    input_bucket: EncryptedBucket
    output_bucket: EncryptedBucket
    access: MediaAnalysisAccess
    input_object_resources: list[aws.s3.BucketObjectv2]
    manifest: aws.s3.BucketObjectv2 | None
    job: PipelineJob | None

    # Hooks, like _new_job: the rekognition-media plugin serves each child component with
    # its outputs under their schema (camelCase) names, as it serves them on their own.
    _key_class: ClassVar[type[MediaAnalysisKey]] = MediaAnalysisKey
    _bucket_class: ClassVar[type[EncryptedBucket]] = EncryptedBucket
    _access_class: ClassVar[type[MediaAnalysisAccess]] = MediaAnalysisAccess

    def __init__(
        self,
        name: str,
        args: MediaAnalysisPipelineArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(PIPELINE_TYPE_TOKEN, name, None, opts)
        args = args if args is not None else MediaAnalysisPipelineArgs()
        args.validate()

        self.key = self._key_class(
            f"{name}-key",
            MediaAnalysisKeyArgs(
                key_user_arns=args.key_user_arns,
                account_id=args.account_id,
                deletion_window_in_days=args.deletion_window_in_days,
                alias_name=args.key_alias_name,
                partition=args.partition,
                tags=args.tags,
                existing_key_arn=args.existing_key_arn,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.key_arn = self.key.key_arn
        self.input_bucket = self._bucket_class(
            f"{name}-input",
            EncryptedBucketArgs(
                kms_key_arn=self.key_arn,
                bucket_name=args.input_bucket_name,
                force_destroy=args.force_destroy,
                partition=args.partition,
                tags=args.tags,
                existing_bucket_name=args.existing_input_bucket_name,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        expire = args.results_expire_after_days
        self.output_bucket = self._bucket_class(
            f"{name}-output",
            EncryptedBucketArgs(
                kms_key_arn=self.key_arn,
                bucket_name=args.output_bucket_name,
                force_destroy=args.force_destroy,
                expire_objects_prefix=args.output_prefix if expire is not None else None,
                expire_objects_after_days=expire,
                partition=args.partition,
                tags=args.tags,
                existing_bucket_name=args.existing_output_bucket_name,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.input_bucket_name = self.input_bucket.bucket_name
        self.input_bucket_arn = self.input_bucket.bucket_arn
        self.output_bucket_name = self.output_bucket.bucket_name
        self.output_bucket_arn = self.output_bucket.bucket_arn

        self.access = self._access_class(
            f"{name}-access",
            MediaAnalysisAccessArgs(
                input_bucket_arn=self.input_bucket_arn,
                output_bucket_arn=self.output_bucket_arn,
                kms_key_arn=self.key_arn,
                input_prefix=args.input_prefix,
                output_prefix=args.output_prefix,
                policy_name=args.policy_name,
                tags=args.tags,
                role_name=args.role_name,
                user_name=args.user_name,
                existing_policy_arn=args.existing_policy_arn,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.policy_arn = self.access.policy_arn

        self.input_object_resources = self._upload_objects(name, args)
        self.manifest = self._write_manifest(name, args)

        self.job = None
        self.job_id = None
        self.job_status = None
        self.results_uri = None
        self.manifest_summary_uri = None
        if args.manifest_key is not None:
            uploads: list[pulumi.Resource] = list(self.input_object_resources)
            if self.manifest is not None:
                uploads.append(self.manifest)
            self.job = self._new_job(
                f"{name}-job",
                MediaAnalysisJobArgs(
                    operations_config=OperationsConfigArgs(
                        detect_moderation_labels=DetectModerationLabelsArgs(
                            min_confidence=args.min_confidence
                        )
                    ),
                    input=MediaAnalysisInputArgs(
                        s3_object=S3ObjectArgs(
                            bucket=self.input_bucket_name, name=args.manifest_key
                        )
                    ),
                    output_config=OutputConfigArgs(
                        s3_bucket=self.output_bucket_name, s3_key_prefix=args.output_prefix
                    ),
                    kms_key_id=self.key_arn,
                    job_name=args.job_name,
                    endpoint_url=args.endpoint_url,
                    region=args.region,
                ),
                # The job starts only once the buckets are hardened, the key and the
                # access policy exist and the inputs are uploaded.
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[
                        self.key,
                        self.input_bucket,
                        self.output_bucket,
                        self.access,
                        *uploads,
                    ],
                ),
            )
            self.job_id = self.job.job_id
            self.job_status = self.job.status
            self.results_uri = self.job.results_uri
            self.manifest_summary_uri = self.job.manifest_summary_uri

        self.register_outputs(
            {
                "input_bucket_name": self.input_bucket_name,
                "input_bucket_arn": self.input_bucket_arn,
                "output_bucket_name": self.output_bucket_name,
                "output_bucket_arn": self.output_bucket_arn,
                "key_arn": self.key_arn,
                "policy_arn": self.policy_arn,
                "job_id": self.job_id,
                "job_status": self.job_status,
                "results_uri": self.results_uri,
                "manifest_summary_uri": self.manifest_summary_uri,
            }
        )

    def _new_job(
        self, name: str, args: MediaAnalysisJobArgs, opts: pulumi.ResourceOptions
    ) -> PipelineJob:
        # A hook: the rekognition-media plugin serves this component with its own job
        # resource, since a dynamic resource needs the program's Python virtualenv.
        return MediaAnalysisJob(name, args, opts)

    def _object_opts(self) -> pulumi.ResourceOptions:
        # Upload only into a hardened bucket (encryption, policy) under an existing key.
        return pulumi.ResourceOptions(parent=self, depends_on=[self.input_bucket, self.key])

    def _upload_objects(
        self, name: str, args: MediaAnalysisPipelineArgs
    ) -> list[aws.s3.BucketObjectv2]:
        return [
            aws.s3.BucketObjectv2(
                f"{name}-object-{_resource_suffix(key)}",
                bucket=self.input_bucket_name,
                key=key,
                content_base64=base64.b64encode(body).decode("ascii"),
                content_type=_content_type(key),
                metadata=(args.input_object_metadata or {}).get(key),
                server_side_encryption="aws:kms",
                kms_key_id=self.key_arn,
                bucket_key_enabled=True,
                opts=self._object_opts(),
            )
            for key, body in sorted((args.input_objects or {}).items())
        ]

    def _write_manifest(
        self, name: str, args: MediaAnalysisPipelineArgs
    ) -> aws.s3.BucketObjectv2 | None:
        if args.manifest_image_keys is None or args.manifest_key is None:
            return None
        keys = list(args.manifest_image_keys)
        return aws.s3.BucketObjectv2(
            f"{name}-manifest",
            bucket=self.input_bucket_name,
            key=args.manifest_key,
            content=self.input_bucket_name.apply(lambda bucket: manifest_jsonl(bucket, keys)),
            content_type="application/jsonl",
            server_side_encryption="aws:kms",
            kms_key_id=self.key_arn,
            bucket_key_enabled=True,
            opts=self._object_opts(),
        )
