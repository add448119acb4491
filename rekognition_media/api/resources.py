"""The Pulumi type tokens of this package's resources.

A Python dynamic resource's type token is ``pulumi-python:dynamic/<module>:<name>``, built
by the SDK from the keywords of its class. The classes in ``rekognition_media.providers``
take module and name from here; so does the ``rekognition-media`` plugin's schema
(``<package>:index:<name>``), whose tokens the components register under too. The policy
pack and the tests match resources by the tokens derived here, so a renamed resource is
edited once.
"""

from __future__ import annotations

from typing import Final

PROVIDER_MODULE: Final = "rekognition"
"""The ``module`` keyword of every dynamic resource class of this package."""
JOB_RESOURCE: Final = "MediaAnalysisJob"
BATCH_RESOURCE: Final = "MediaAnalysisBatch"
"""A bucket prefix analysed as sharded manifests, one media analysis job per shard."""
STACK_IDENTITY_RESOURCE: Final = "StackIdentity"


def dynamic_type_token(name: str) -> str:
    """The type token the SDK gives a dynamic resource class of this package."""
    return f"pulumi-python:dynamic/{PROVIDER_MODULE}:{name}"


JOB_TYPE_TOKEN: Final = dynamic_type_token(JOB_RESOURCE)
"""``pulumi-python:dynamic/rekognition:MediaAnalysisJob``: the dynamic resource's job."""
BATCH_TYPE_TOKEN: Final = dynamic_type_token(BATCH_RESOURCE)
"""``pulumi-python:dynamic/rekognition:MediaAnalysisBatch``: the dynamic resource's batch."""
STACK_IDENTITY_TYPE_TOKEN: Final = dynamic_type_token(STACK_IDENTITY_RESOURCE)

PLUGIN_PACKAGE: Final = "rekognition-media"
"""The package name of the provider plugin (``pulumi-resource-rekognition-media``)."""
PLUGIN_MODULE: Final = f"{PLUGIN_PACKAGE}:index"


def plugin_type_token(name: str) -> str:
    """The type token of a resource the ``rekognition-media`` plugin serves."""
    return f"{PLUGIN_MODULE}:{name}"


PLUGIN_JOB_TYPE_TOKEN: Final = plugin_type_token(JOB_RESOURCE)
"""``rekognition-media:index:MediaAnalysisJob``: the plugin's job (camelCase properties)."""
PLUGIN_BATCH_TYPE_TOKEN: Final = plugin_type_token(BATCH_RESOURCE)
"""``rekognition-media:index:MediaAnalysisBatch``: the plugin's batch (camelCase properties)."""

# The components' type tokens: the Python classes register under them, and the plugin
# serves them under the same ones (so a component is the same resource from any language).
KEY_TYPE_TOKEN: Final = plugin_type_token("MediaAnalysisKey")
BUCKET_TYPE_TOKEN: Final = plugin_type_token("EncryptedBucket")
ACCESS_TYPE_TOKEN: Final = plugin_type_token("MediaAnalysisAccess")
PIPELINE_TYPE_TOKEN: Final = plugin_type_token("MediaAnalysisPipeline")
COMPONENT_TYPE_TOKENS: Final = {
    "MediaAnalysisKey": KEY_TYPE_TOKEN,
    "EncryptedBucket": BUCKET_TYPE_TOKEN,
    "MediaAnalysisAccess": ACCESS_TYPE_TOKEN,
    "MediaAnalysisPipeline": PIPELINE_TYPE_TOKEN,
}
"""Component class name -> its type token (the plugin serves the components by these)."""
