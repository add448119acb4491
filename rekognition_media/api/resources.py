"""The Pulumi type tokens of this package's resources.

A Python dynamic resource's type token is ``pulumi-python:dynamic/<module>:<name>``, built
by the SDK from the keywords of its class. The classes in ``rekognition_media.providers``
take module and name from here, and the policy pack and the tests match resources by the
tokens derived here, so a renamed resource is edited once.
"""

from __future__ import annotations

from typing import Final

PROVIDER_MODULE: Final = "rekognition"
"""The ``module`` keyword of every dynamic resource class of this package."""
JOB_RESOURCE: Final = "MediaAnalysisJob"
STACK_IDENTITY_RESOURCE: Final = "StackIdentity"


def dynamic_type_token(name: str) -> str:
    """The type token the SDK gives a dynamic resource class of this package."""
    return f"pulumi-python:dynamic/{PROVIDER_MODULE}:{name}"


JOB_TYPE_TOKEN: Final = dynamic_type_token(JOB_RESOURCE)
"""``pulumi-python:dynamic/rekognition:MediaAnalysisJob`` (policies target it)."""
STACK_IDENTITY_TYPE_TOKEN: Final = dynamic_type_token(STACK_IDENTITY_RESOURCE)
