"""The job's core, which both front ends share and which knows neither of them.

The dynamic front end (``rekognition_media.providers``) and the ``rekognition-media``
plugin (``rekognition_media.plugin``) translate their wire values to the snake_case
property dicts the core works on and back. Importing the package loads nothing; its
modules, one concept each:

* ``lifecycle``: what each Pulumi verb does to a job (check, create and wait, adopt,
  successors, read, update, delete); ``changes``: replace or update (diff);
* ``request``: request building, validation and the job's behaviour settings
  (``JobSettings``); ``token``: idempotency tokens and their scope;
* ``client``: boto3 clients; ``start``: starting within the quotas; ``pollers``: waiting;
  ``schedule``: when to poll and the retry loop; ``budget``: the account's quotas shared
  between provider processes, through ``private_directory``;
* ``summary``: what a job found (and a batch's shards, merged); ``output_prefix``: what a
  destroy may delete;
* ``batch``: a whole bucket prefix as sharded jobs, on the job's lifecycle (``batch_request``:
  its inputs, check, diff and tokens; ``batch_listing``: the prefix listed into manifests
  and their record);
* ``errors``: what an AWS error means for a retry; ``account``: what a refusal about the
  account or its credentials means for the user; ``user_errors``: which errors are the
  product's own sentences; ``cancellation``: stopping every wait on the engine's Cancel;
* ``pulumi_internals``: the Pulumi SDK's private APIs, each in one place.
"""
