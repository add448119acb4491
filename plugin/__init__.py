"""``rekognition-media``: the Pulumi resource provider plugin, for every Pulumi language.

``pip install pulumi-rekognition-media`` puts the executable
``pulumi-resource-rekognition-media`` on PATH, where the engine finds it (no
``PulumiPlugin.yaml``). It serves ``rekognition-media:index:MediaAnalysisJob`` with the
same core as the dynamic ``MediaAnalysisJob`` (see ``provider``); ``schema`` is the
package schema.
"""

from .schema import JOB_TYPE, PACKAGE

__all__ = ["JOB_TYPE", "PACKAGE"]
