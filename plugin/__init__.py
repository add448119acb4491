"""``rekognition-media``: the Pulumi resource provider plugin, for every Pulumi language.

``pip install pulumi-rekognition-media`` puts the executable
``pulumi-resource-rekognition-media`` on PATH, where the engine finds it (no
``PulumiPlugin.yaml``). It serves ``rekognition-media:index:MediaAnalysisJob`` with the
same core as the dynamic ``MediaAnalysisJob``.

Modules: ``provider`` (the provider's verbs: wire values <-> the core), ``convert`` (wire
values <-> the core's snake_case dicts), ``schema`` (the package schema), ``components``
(the four components for any language, their schema derived from their source),
``server`` (the gRPC server, a failed call reported as its message), ``engine_log``
(progress lines to the engine), ``__main__`` (the executable).
"""

from .schema import BATCH_TYPE, JOB_TYPE, PACKAGE

__all__ = ["BATCH_TYPE", "JOB_TYPE", "PACKAGE"]
