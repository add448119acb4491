"""What the policies know about the resources: type tokens, S3 encryption rules in all the
shapes pulumi-aws v7 accepts, links from bucket-level resources to their bucket, and KMS key
identity across ARNs, key ids and aliases.

Type tokens and property names were checked against pulumi-aws 7.x (the ``super().__init__``
token and ``pulumi.getter(name=...)`` camelCase names the engine sees).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

from rekognition_media.api.arns import parse_arn
from rekognition_media.api.casing import camel_case
from rekognition_media.api.encryption import KMS_SSE_ALGORITHMS
from rekognition_media.api.resources import (
    BATCH_TYPE_TOKEN,
    JOB_TYPE_TOKEN,
    PLUGIN_BATCH_TYPE_TOKEN,
    PLUGIN_JOB_TYPE_TOKEN,
)

from ._framework import (
    UNKNOWN,
    Setting,
    StackContext,
    StackResource,
    as_list,
    get,
    show,
)

# --- type tokens -------------------------------------------------------------------------

BUCKET: Final = "aws:s3/bucket:Bucket"
BUCKET_V2: Final = "aws:s3/bucketV2:BucketV2"  # deprecated alias of Bucket in v7
BUCKET_TYPES: Final = (BUCKET, BUCKET_V2)
BUCKET_SSE: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
BUCKET_SSE_V2: Final = (
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
)
BUCKET_SSE_TYPES: Final = (BUCKET_SSE, BUCKET_SSE_V2)
BUCKET_PUBLIC_ACCESS_BLOCK: Final = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY: Final = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ACL: Final = "aws:s3/bucketAcl:BucketAcl"
BUCKET_ACL_V2: Final = "aws:s3/bucketAclV2:BucketAclV2"  # deprecated alias of BucketAcl in v7
BUCKET_ACL_TYPES: Final = (BUCKET_ACL, BUCKET_ACL_V2)
BUCKET_OWNERSHIP_CONTROLS: Final = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_OBJECT: Final = "aws:s3/bucketObject:BucketObject"
BUCKET_OBJECT_V2: Final = "aws:s3/bucketObjectv2:BucketObjectv2"
OBJECT_COPY: Final = "aws:s3/objectCopy:ObjectCopy"
OBJECT_TYPES: Final = (BUCKET_OBJECT, BUCKET_OBJECT_V2, OBJECT_COPY)
"""Every pulumi-aws resource that writes an S3 object (all take ``acl``, ``serverSideEncryption``
and ``kmsKeyId``; ObjectCopy also ``grants`` and SSE-C's ``customerAlgorithm``)."""
KMS_KEY: Final = "aws:kms/key:Key"
KMS_ALIAS: Final = "aws:kms/alias:Alias"
KMS_KEY_POLICY: Final = "aws:kms/keyPolicy:KeyPolicy"
KMS_REPLICA_KEY: Final = "aws:kms/replicaKey:ReplicaKey"
KMS_EXTERNAL_KEY: Final = "aws:kms/externalKey:ExternalKey"
KMS_REPLICA_EXTERNAL_KEY: Final = "aws:kms/replicaExternalKey:ReplicaExternalKey"
KMS_KEY_POLICY_TYPES: Final = (
    KMS_KEY,
    KMS_KEY_POLICY,
    KMS_REPLICA_KEY,
    KMS_EXTERNAL_KEY,
    KMS_REPLICA_EXTERNAL_KEY,
)
"""Every pulumi-aws resource that writes a key policy (``policy``)."""
IAM_POLICY: Final = "aws:iam/policy:Policy"
IAM_ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
IAM_USER_POLICY: Final = "aws:iam/userPolicy:UserPolicy"
IAM_GROUP_POLICY: Final = "aws:iam/groupPolicy:GroupPolicy"
IAM_ROLE: Final = "aws:iam/role:Role"
IAM_ROLE_POLICY_ATTACHMENT: Final = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_USER_POLICY_ATTACHMENT: Final = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
IAM_GROUP_POLICY_ATTACHMENT: Final = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
IAM_POLICY_ATTACHMENT: Final = "aws:iam/policyAttachment:PolicyAttachment"
IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE: Final = (
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
)
IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE: Final = (
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive"
)
IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE: Final = (
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive"
)
MANAGED_POLICY_ARN_PROPS: Final = {
    IAM_ROLE_POLICY_ATTACHMENT: "policyArn",
    IAM_USER_POLICY_ATTACHMENT: "policyArn",
    IAM_GROUP_POLICY_ATTACHMENT: "policyArn",
    IAM_POLICY_ATTACHMENT: "policyArn",
    IAM_ROLE: "managedPolicyArns",
    IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE: "policyArns",
    IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE: "policyArns",
    IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE: "policyArns",
}
"""Every way pulumi-aws attaches a managed policy, and the property holding its ARN(s)."""
MEDIA_ANALYSIS_JOB: Final = JOB_TYPE_TOKEN
"""The dynamic ``MediaAnalysisJob`` (snake_case properties)."""
MEDIA_ANALYSIS_JOB_PLUGIN: Final = PLUGIN_JOB_TYPE_TOKEN
"""The ``rekognition-media`` plugin's ``MediaAnalysisJob`` (camelCase properties)."""
MEDIA_ANALYSIS_JOBS: Final = (MEDIA_ANALYSIS_JOB, MEDIA_ANALYSIS_JOB_PLUGIN)
MEDIA_ANALYSIS_BATCH: Final = BATCH_TYPE_TOKEN
"""The dynamic ``MediaAnalysisBatch``: a bucket prefix, one job per manifest shard."""
MEDIA_ANALYSIS_BATCH_PLUGIN: Final = PLUGIN_BATCH_TYPE_TOKEN
"""The ``rekognition-media`` plugin's ``MediaAnalysisBatch`` (camelCase properties)."""
MEDIA_ANALYSIS_BATCHES: Final = (MEDIA_ANALYSIS_BATCH, MEDIA_ANALYSIS_BATCH_PLUGIN)
MEDIA_ANALYSIS_RESOURCES: Final = (*MEDIA_ANALYSIS_JOBS, *MEDIA_ANALYSIS_BATCHES)
"""Everything that starts media analysis jobs: the job policies check all four, since a
batch takes the job's request fields (``kms_key_id``, ``operations_config``,
``output_config``) under the same names."""
_PLUGIN_TYPES: Final = frozenset({MEDIA_ANALYSIS_JOB_PLUGIN, MEDIA_ANALYSIS_BATCH_PLUGIN})

# --- the KMS encryption algorithms ---------------------------------------------------------

KMS_ALGORITHMS: Final = KMS_SSE_ALGORITHMS
"""``aws:kms`` and ``aws:kms:dsse``: what every bucket, object and job check accepts as "KMS",
and the default of the ``allowedSseAlgorithms`` settings that narrow it."""
ALLOWED_SSE_ALGORITHMS_NAME: Final = "allowedSseAlgorithms"


def allowed_sse_algorithms(description: str) -> Setting:
    """The ``allowedSseAlgorithms`` setting: a non-empty subset of :data:`KMS_ALGORITHMS`."""
    return Setting(
        ALLOWED_SSE_ALGORITHMS_NAME,
        {
            "type": "array",
            "items": {"type": "string", "enum": list(KMS_ALGORITHMS)},
            "minItems": 1,
            "uniqueItems": True,
            "default": list(KMS_ALGORITHMS),
            "description": description,
        },
    )


def one_of(values: list[str] | tuple[str, ...]) -> str:
    """``"aws:kms" or "aws:kms:dsse"``: the allowed values as a fix names them."""
    return " or ".join(show(v) for v in values)


# --- media analysis jobs of either front end ----------------------------------------------


@dataclass(frozen=True)
class MediaJob:
    """A media analysis job or batch resource of either front end, read one way.

    The dynamic resource's properties are snake_case (``kms_key_id``,
    ``operations_config.detect_moderation_labels.min_confidence``), the plugin's the same
    names in camelCase (``kmsKeyId``, ``operationsConfig.detectModerationLabels...``). The
    job policies ask for properties by their snake_case path and name them in messages
    the way the program spells them; this is the one place that knows the two shapes.
    A batch has the job's request fields under the same names, so the same view reads it.
    """

    type: str
    props: dict[str, Any]

    @property
    def is_plugin(self) -> bool:
        return self.type in _PLUGIN_TYPES

    @property
    def is_batch(self) -> bool:
        return self.type in MEDIA_ANALYSIS_BATCHES

    @property
    def noun(self) -> str:
        """How messages call it: ``job`` or ``batch``."""
        return "batch" if self.is_batch else "job"

    @property
    def args_class(self) -> str:
        """The dynamic resource's Args class, where a fix goes."""
        return "MediaAnalysisBatchArgs" if self.is_batch else "MediaAnalysisJobArgs"

    def spelt(self, name: str) -> str:
        return camel_case(name) if self.is_plugin else name

    def get(self, *path: str) -> Any:
        """The value at a snake_case path: None when absent, UNKNOWN when not known yet."""
        return get(self.props, *(self.spelt(step) for step in path))

    def path(self, *path: str) -> str:
        """A snake_case path as the program writes it (``outputConfig.s3Bucket``)."""
        return ".".join(self.spelt(step) for step in path)

    def fix_name(self, *path: str) -> str:
        """What a fix names: the property (``min_confidence``, in its Args class) or, for
        the plugin, the full path in the resource's properties."""
        return self.path(*path) if self.is_plugin else path[-1]

    def declared(self, args_class: str, preposition: str = "in") -> str:
        """Where a fix goes: ``to MediaAnalysisJobArgs`` / ``in the resource's properties``."""
        return "in the resource's properties" if self.is_plugin else f"{preposition} {args_class}"


# --- S3 default-encryption rules -----------------------------------------------------------

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class EncryptionRule:
    """One ``applyServerSideEncryptionByDefault`` with the ``bucketKeyEnabled`` of its rule."""

    rule_path: Path
    default_path: Path | None  # None: the rule has no default-encryption block
    algorithm: Any
    kms_key: Any
    bucket_key: Any


@dataclass(frozen=True)
class EncryptionConfig:
    rules: tuple[EncryptionRule, ...]
    present: bool  # some configuration was given (even if it has no rules)
    unknown: bool  # (part of) the configuration is not known yet


def _rules_in(config: Any, base: Path) -> tuple[list[EncryptionRule], bool]:
    """Rules of one configuration object: ``rule`` (Bucket) or ``rules`` (BucketV2, SSE)."""
    rules: list[EncryptionRule] = []
    unknown = False
    if config is UNKNOWN:
        return rules, True
    if not isinstance(config, dict):
        return rules, False
    for key in ("rule", "rules"):
        value = config.get(key)
        if value is UNKNOWN:
            unknown = True
            continue
        many = isinstance(value, list)
        for i, rule in enumerate(as_list(value)):
            rule_path = (*base, key, i) if many else (*base, key)
            if rule is UNKNOWN:
                unknown = True
                continue
            if not isinstance(rule, dict):
                continue
            found = False
            for dkey in (
                "applyServerSideEncryptionByDefault",
                "applyServerSideEncryptionByDefaults",
            ):
                defaults = rule.get(dkey)
                if defaults is UNKNOWN:
                    unknown = True
                    found = True
                    continue
                dmany = isinstance(defaults, list)
                for j, default in enumerate(as_list(defaults)):
                    found = True
                    dpath = (*rule_path, dkey, j) if dmany else (*rule_path, dkey)
                    rules.append(
                        EncryptionRule(
                            rule_path,
                            dpath,
                            get(default, "sseAlgorithm"),
                            get(default, "kmsMasterKeyId"),
                            rule.get("bucketKeyEnabled"),
                        )
                    )
            if not found:
                rules.append(
                    EncryptionRule(rule_path, None, None, None, rule.get("bucketKeyEnabled"))
                )
    return rules, unknown


def encryption_config(resource_type: str, props: dict[str, Any]) -> EncryptionConfig:
    """The default-encryption rules of a bucket (inline) or of an SSE configuration resource.

    Shapes (``…ByDefault`` = ``applyServerSideEncryptionByDefault``):

    * v7 ``Bucket``: ``serverSideEncryptionConfiguration.rule.…ByDefault`` (one object each)
    * deprecated ``BucketV2``: ``serverSideEncryptionConfigurations[].rules[].…ByDefaults[]``
    * ``BucketServerSideEncryptionConfiguration(V2)``: ``rules[].…ByDefault``
    """
    if resource_type in BUCKET_SSE_TYPES:
        rules, unknown = _rules_in(props, ())
        return EncryptionConfig(tuple(rules), present=True, unknown=unknown)
    rules = []
    unknown = False
    present = False
    for key in ("serverSideEncryptionConfiguration", "serverSideEncryptionConfigurations"):
        value = props.get(key)
        if value is UNKNOWN:
            unknown = True
            continue
        if value in (None, [], {}):
            continue
        present = True
        many = isinstance(value, list)
        for i, config in enumerate(as_list(value)):
            found, part_unknown = _rules_in(config, (key, i) if many else (key,))
            rules.extend(found)
            unknown = unknown or part_unknown
    return EncryptionConfig(tuple(rules), present=present, unknown=unknown)


def is_aws_managed_key(key: str) -> bool:
    """``alias/aws/s3`` and other AWS-managed aliases, by name or ARN."""
    arn = parse_arn(key)
    name = arn.resource if arn is not None else key
    return name.lower().startswith("alias/aws/")


# --- links from bucket-level resources to their bucket ------------------------------------

Kind = Literal["encryption", "public-access-block", "policy"]
KIND_TYPES: Final[dict[Kind, tuple[str, ...]]] = {
    "encryption": BUCKET_SSE_TYPES,
    "public-access-block": (BUCKET_PUBLIC_ACCESS_BLOCK,),
    "policy": (BUCKET_POLICY,),
}
KIND_RESOURCE: Final[dict[Kind, str]] = {
    "encryption": "aws.s3.BucketServerSideEncryptionConfiguration",
    "public-access-block": "aws.s3.BucketPublicAccessBlock",
    "policy": "aws.s3.BucketPolicy",
}


@dataclass(frozen=True)
class Link:
    resource: StackResource
    bucket: StackResource | None
    status: Literal["linked", "outside", "unlinked"]
    how: str


def bucket_names(bucket: StackResource) -> set[str]:
    """The names a bucket is known by: ``bucket``, ``id`` and the name in ``arn``."""
    names = {v for k in ("bucket", "id") if isinstance(v := bucket.props.get(k), str) and v}
    arn = bucket.props.get("arn")
    if isinstance(arn, str) and ":::" in arn:
        names.add(arn.rsplit(":::", 1)[1])
    return names


def bucket_display(bucket: StackResource) -> str:
    name = bucket.props.get("bucket")
    return f"{bucket.label} (bucket {show(name)})" if isinstance(name, str) else bucket.label


class Buckets:
    """The stack's buckets, looked up by name and by URN in constant time.

    Built once per validation (:func:`bucket_index`), so linking every bucket-level resource
    and every job or object to its bucket is linear in the size of the stack.
    """

    def __init__(self, buckets: list[StackResource]) -> None:
        self.all = buckets
        self._by_name: dict[str, StackResource] = {}
        self._position = {bucket.urn: i for i, bucket in enumerate(buckets)}
        for bucket in buckets:
            for name in bucket_names(bucket):
                self._by_name.setdefault(name, bucket)  # the first in stack order, as before
        self.all_named = all(bucket_names(bucket) for bucket in buckets)

    def named(self, name: str) -> StackResource | None:
        return self._by_name.get(name)

    def among(self, urns: Iterable[str]) -> list[StackResource]:
        """The buckets among ``urns`` (each once, in stack order)."""
        positions = sorted({self._position[u] for u in urns if u in self._position})
        return [self.all[i] for i in positions]


def link_to_bucket(resource: StackResource, buckets: Buckets) -> Link:
    """Which bucket of the stack a BucketPolicy/PublicAccessBlock/SSE configuration targets.

    1. its ``bucket`` value equals a bucket's name (``bucket``/``id``/``arn``), else
    2. its ``bucket`` property depends on exactly one bucket resource (how ``bucket=b.id``
       is recorded, so this also works during preview when ``b.id`` is unknown), else
    3. "outside" when the value is known and every bucket's name is known too, else
    4. "unlinked": the checks can't tell which bucket it configures (reported as advisory).
    """
    value = resource.props.get("bucket")
    if isinstance(value, str) and value:
        bucket = buckets.named(value.rsplit(":::", 1)[-1])
        if bucket is not None:
            return Link(resource, bucket, "linked", f"`bucket` = {show(value)}")
    candidates = buckets.among(resource.depends_on("bucket"))
    if len(candidates) == 1:
        return Link(resource, candidates[0], "linked", "`bucket` depends on it")
    if isinstance(value, str) and value and buckets.all_named:
        return Link(resource, None, "outside", f"`bucket` = {show(value)} is not in this stack")
    if isinstance(value, str) and value:
        why = f"`bucket` = {show(value)} matches no known bucket name; some names are unknown"
    else:
        why = f"`bucket` is {show(value)} and depends on " + (
            f"{len(candidates)} buckets" if candidates else "no bucket of this stack"
        )
    return Link(resource, None, "unlinked", why)


class BucketIndex:
    """Every bucket of the stack with the bucket-level resources linked to it.

    Built once per validation; every lookup after that is a dictionary access.
    """

    def __init__(self, stack: StackContext) -> None:
        self._stack = stack
        self.lookup = Buckets(stack.of_type(*BUCKET_TYPES))
        self.buckets = self.lookup.all
        self._links: dict[Kind, list[Link]] = {}
        self._linked: dict[Kind, dict[str, list[StackResource]]] = {}
        self._unlinked: dict[Kind, list[Link]] = {}

    def links(self, kind: Kind) -> list[Link]:
        """Every resource of ``kind`` with its link; a kind is linked when first asked for."""
        if kind not in self._links:
            links = [link_to_bucket(r, self.lookup) for r in self._stack.of_type(*KIND_TYPES[kind])]
            by_bucket: dict[str, list[StackResource]] = {}
            for link in links:
                if link.bucket is not None:
                    by_bucket.setdefault(link.bucket.urn, []).append(link.resource)
            self._links[kind] = links
            self._linked[kind] = by_bucket
            self._unlinked[kind] = [link for link in links if link.status == "unlinked"]
        return self._links[kind]

    def linked(self, bucket: StackResource, kind: Kind) -> list[StackResource]:
        self.links(kind)
        return list(self._linked[kind].get(bucket.urn, ()))

    def unlinked(self, kind: Kind) -> list[Link]:
        self.links(kind)
        return list(self._unlinked[kind])


def bucket_index(stack: StackContext) -> BucketIndex:
    index = stack.cache.get("buckets")
    if index is None:
        index = stack.cache["buckets"] = BucketIndex(stack)
    assert isinstance(index, BucketIndex)
    return index


def find_bucket(stack: StackContext, name: Any, deps: tuple[str, ...]) -> StackResource | None:
    """A bucket of the stack by name, or by being the only bucket ``deps`` point at."""
    buckets = bucket_index(stack).lookup
    if isinstance(name, str) and name:
        bucket = buckets.named(name)
        if bucket is not None:
            return bucket
    candidates = buckets.among(deps)
    return candidates[0] if len(candidates) == 1 else None


INLINE_ENCRYPTION_PROPS: Final = (
    "serverSideEncryptionConfiguration",
    "serverSideEncryptionConfigurations",
)


def undecided(source: StackResource, config: EncryptionConfig) -> bool:
    """Is the encryption of ``source`` still unknown *as the program wrote it*?

    An unknown algorithm always is. A bucket's inline configuration that is unknown but
    depends on no other resource is the provider's computed value (the program didn't set
    it), so it is decided: no inline encryption. One that depends on resources (e.g. a key
    being created) is the program's, not known yet.
    """
    if any(rule.algorithm is UNKNOWN for rule in config.rules):
        return True
    if not config.unknown:
        return False
    if source.type in BUCKET_SSE_TYPES:
        return True
    return bool(source.depends_on(*INLINE_ENCRYPTION_PROPS))


def effective_encryption(
    stack: StackContext, bucket: StackResource
) -> list[tuple[StackResource, EncryptionConfig]]:
    """Where the bucket's default encryption comes from: the linked SSE configuration
    resources (they overwrite whatever the bucket reports inline), else the bucket itself."""
    linked = bucket_index(stack).linked(bucket, "encryption")
    sources = linked or [bucket]
    return [(source, encryption_config(source.type, source.props)) for source in sources]


# --- KMS key identity ----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRef:
    """What a ``kmsKeyId``-like value refers to.

    kind: ``key`` (a Key resource of the stack, value = URN), ``key-id`` (a key outside the
    stack, value = key id), ``alias`` (an alias that could not be resolved, value = name),
    ``none`` (no key) or ``unresolved`` (unknown and no unique dependency).
    """

    kind: Literal["key", "key-id", "alias", "none", "unresolved"]
    value: str
    text: str


def _key_id_of(value: str) -> tuple[Literal["key-id", "alias"], str]:
    arn = parse_arn(value)
    if arn is not None:
        resource = arn.resource  # key/<id> or alias/<name>
        if resource.startswith("key/"):
            return "key-id", resource[4:]
        return "alias", resource
    if value.startswith("alias/"):
        return "alias", value
    return "key-id", value


class KeyIndex:
    """The stack's ``aws.kms.Key`` and ``aws.kms.Alias`` resources by every value that names
    them, built once per validation so that resolving a key costs a dictionary access."""

    def __init__(self, stack: StackContext) -> None:
        self.keys = stack.of_type(KMS_KEY)
        self.aliases = stack.of_type(KMS_ALIAS)
        self.key_by_value: dict[str, StackResource] = {}
        self.key_by_id: dict[str, StackResource] = {}
        self.alias_by_value: dict[str, StackResource] = {}
        self.alias_by_name: dict[str, StackResource] = {}
        # setdefault: the first in stack order wins, as the scans this replaces did.
        for key in self.keys:
            for prop in ("keyId", "arn", "id"):
                value = key.props.get(prop)
                if isinstance(value, str):
                    self.key_by_value.setdefault(value, key)
            key_id = key.props.get("keyId")
            if isinstance(key_id, str):
                self.key_by_id.setdefault(key_id, key)
        for alias in self.aliases:
            for prop in ("name", "arn"):
                value = alias.props.get(prop)
                if isinstance(value, str):
                    self.alias_by_value.setdefault(value, alias)
            name = alias.props.get("name")
            if isinstance(name, str):
                self.alias_by_name.setdefault(name, alias)
        self._key_position = {key.urn: i for i, key in enumerate(self.keys)}
        self._alias_position = {alias.urn: i for i, alias in enumerate(self.aliases)}

    def keys_among(self, urns: Iterable[str]) -> list[StackResource]:
        positions = sorted({self._key_position[u] for u in urns if u in self._key_position})
        return [self.keys[i] for i in positions]

    def aliases_among(self, urns: Iterable[str]) -> list[StackResource]:
        positions = sorted({self._alias_position[u] for u in urns if u in self._alias_position})
        return [self.aliases[i] for i in positions]


def key_index(stack: StackContext) -> KeyIndex:
    index = stack.cache.get("keys")
    if index is None:
        index = stack.cache["keys"] = KeyIndex(stack)
    assert isinstance(index, KeyIndex)
    return index


def resolve_key(stack: StackContext, value: Any, deps: tuple[str, ...], _depth: int = 0) -> KeyRef:
    """Resolve a key reference (key id, key ARN, alias name, alias ARN) to a KeyRef.

    Known values are matched against the stack's Key (``keyId``/``arn``) and Alias
    (``name``/``arn`` -> ``targetKeyId``) resources; unknown values (preview) resolve through
    the property's dependency when it is exactly one Key or Alias resource.
    """
    index = key_index(stack)
    if value is None or value == "":
        return KeyRef("none", "", "absent")
    if isinstance(value, str):
        key = index.key_by_value.get(value)
        if key is not None:
            return KeyRef("key", key.urn, key.label)
        alias = index.alias_by_value.get(value)
        if alias is not None:
            return _resolve_alias(stack, alias, _depth)
        kind, ident = _key_id_of(value)
        if kind == "key-id":
            key = index.key_by_id.get(ident)
            if key is not None:
                return KeyRef("key", key.urn, key.label)
            return KeyRef("key-id", ident, f"key id {show(ident)}")
        alias = index.alias_by_name.get(ident)
        if alias is not None:
            return _resolve_alias(stack, alias, _depth)
        return KeyRef("alias", ident, f"alias {show(ident)}")
    # Unknown: what the property depends on. A key and aliases of that same key (deps of a
    # component's output can name several of its children) still mean that one key.
    found = [KeyRef("key", k.urn, k.label) for k in index.keys_among(deps)]
    found += [_resolve_alias(stack, a, _depth) for a in index.aliases_among(deps)]
    targets = {(ref.kind, ref.value) for ref in found}
    if len(targets) == 1:
        return found[0]  # Key resources come first: the plainest description
    return KeyRef("unresolved", "", "unknown during preview")


def rule_key_deps(source: StackResource) -> tuple[str, ...]:
    """What the kmsMasterKeyId of ``source``'s rules depends on (rules are one property)."""
    if source.type in BUCKET_SSE_TYPES:
        return source.depends_on("rules")
    return source.depends_on(*INLINE_ENCRYPTION_PROPS)


def _resolve_alias(stack: StackContext, alias: StackResource, depth: int) -> KeyRef:
    name = alias.props.get("name")
    fallback = KeyRef(
        "alias", name if isinstance(name, str) else alias.urn, f"{alias.label} (alias {show(name)})"
    )
    if depth > 2:
        return fallback
    target = resolve_key(
        stack, alias.props.get("targetKeyId"), alias.depends_on("targetKeyId"), depth + 1
    )
    if target.kind in ("key", "key-id"):
        return KeyRef(target.kind, target.value, f"{target.text} via alias {show(name)}")
    return fallback


def same_key(a: KeyRef, b: KeyRef) -> bool | Any:
    """True/False when decidable, UNKNOWN when not (unresolved aliases, unknown values)."""
    if "unresolved" in (a.kind, b.kind) or "none" in (a.kind, b.kind):
        return UNKNOWN
    if a.kind == b.kind:
        if a.value == b.value:
            return True
        return UNKNOWN if a.kind == "alias" else False
    if "alias" in (a.kind, b.kind):
        return UNKNOWN
    # A Key resource of the stack vs. a literal key id: had the id been the Key's keyId it
    # would have resolved to the Key resource, so they are different keys.
    return False
