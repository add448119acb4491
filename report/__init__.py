"""``rekognition-media report``: what a media analysis job found, for people and for CI.

Takes a JobId (the job is read with GetMediaAnalysisJob) or the results object's
``s3://`` URI, and shows the job's moderation summary (the same one the stack outputs,
computed by ``core.summary``) in the terminal, as JSON (``--json``), or as one
self-contained HTML page with the flagged images as blurred thumbnails (``--html``).

Modules, in the order a run uses them: ``cli`` (arguments, errors, exit codes),
``job`` (from a JobId or URI to the results object and the job's facts), ``access``
(what an AWS error means to a user: the missing permission or object), ``results``
(the results object streamed image by image), ``thumbnails`` (images fetched
concurrently, scaled one at a time), ``html`` and ``terminal`` (the two renderings).
"""
