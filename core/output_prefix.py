"""What ``delete_outputs_on_destroy`` may delete: the job's own outputs, nothing else.

A job writes its results and manifest summary under ``<S3Bucket>/<S3KeyPrefix><JobId>/``
of its request's OutputConfig (``rekognition_media.api.manifest.job_output_prefix``: the
prefix with one '/' added unless it is empty or ends with one, so "out" and "out/" lay out
alike). A destroy deletes the locations the state recorded at create; those come from the
job's own GetMediaAnalysisJob (``pollers``), but a location is only as good as what
recorded it, and a wrong one would delete someone else's objects in the deployer's
account. So the invariant, checked on the delete path itself: **a destroy deletes an
object only if it is in the job's output bucket under the job's own prefix**; any other
recorded location is refused with a message naming it and the prefix, and left alone.
Where the prefix is comes from the request the stack declared, never from the recorded
location.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rekognition_media.api.manifest import job_output_prefix


def refusal(
    job_id: str, output_config: Mapping[str, Any], s3_object: Mapping[str, Any]
) -> str | None:
    """Why the recorded output ``s3_object`` (``bucket``/``name``, as in the state) of job
    ``job_id`` must not be deleted; None when it lies under the job's own prefix of
    ``output_config`` (the request's ``s3_bucket``/``s3_key_prefix``)."""
    bucket = output_config.get("s3_bucket")
    prefix = job_output_prefix(output_config.get("s3_key_prefix"), job_id)
    own = f"s3://{bucket}/{prefix}"
    uri = f"s3://{s3_object.get('bucket')}/{s3_object.get('name')}"
    name = str(s3_object.get("name") or "")
    if bucket and s3_object.get("bucket") == bucket and name.startswith(prefix) and name != prefix:
        return None
    return (
        f"not deleting {uri}: it is outside the job's own output prefix {own}, the only place "
        "delete_outputs_on_destroy deletes from (the state's record of the job's outputs "
        "does not match its request; the object is left as it is)"
    )
