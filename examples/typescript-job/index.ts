import * as pulumi from "@pulumi/pulumi";
import { MediaAnalysisJob, MediaAnalysisPipeline } from "pulumi-rekognition-media";

const config = new pulumi.Config();
const manifest = config.get("manifest") ?? "manifests/batch.jsonl";

// The key, the two buckets (SSE-KMS with that key) and the access policy, attached to the
// role that runs the jobs. No manifestKey: the job is declared below, on its own.
const media = new MediaAnalysisPipeline("media", {
    accountId: config.require("accountId"),
    roleName: config.require("roleName"),
    outputPrefix: "results/",
    resultsExpireAfterDays: 90,
    tags: { team: "trust-and-safety" },
});

// Reading the pipeline's outputs makes the job wait for the buckets, key and policy.
const nightly = new MediaAnalysisJob("nightly", {
    operationsConfig: {
        detectModerationLabels: { minConfidence: config.getNumber("minConfidence") ?? 60 },
    },
    input: { s3Object: { bucket: media.inputBucketName, name: manifest } },
    outputConfig: { s3Bucket: media.outputBucketName, s3KeyPrefix: "results/" },
    kmsKeyId: media.keyArn,
});

export const status: pulumi.Output<string> = nightly.status;
export const resultsUri = nightly.resultsUri;
export const imagesFlagged: pulumi.Output<number | undefined> = nightly.moderationSummary.apply(
    (summary) => summary?.imagesFlagged,
);
export const policyArn = media.policyArn;
