"""Declarative AWS Rekognition media analysis jobs for Pulumi.

Subpackages:
    api         the Rekognition media-analysis API contract (shapes, limits, errors),
                derived from botocore's service model and shared by everything else
    providers   the job's core, and the ``MediaAnalysisJob`` dynamic resource on it
    plugin      the ``rekognition-media`` provider plugin (the job and the components,
                for any language) on the same core
    components  encrypted buckets, KMS key, least-privilege IAM, the whole pipeline
    policies    the CrossGuard policy pack
    emulator    a local Rekognition media-analysis service on top of moto
    devtools    development support: programs through the real Pulumi CLI, a seeded
                emulator, sample and test images (tests, quickstart, benchmarks)
"""

__version__ = "0.1.0"
