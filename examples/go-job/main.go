// The pipeline's encrypted buckets, key and access policy, and a nightly media analysis
// job over a manifest in its input bucket, through the generated Go SDK.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/rekognition-media/pulumi-rekognition-media/sdk/go/rekognitionmedia"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		manifest := cfg.Get("manifest")
		if manifest == "" {
			manifest = "manifests/batch.jsonl"
		}
		minConfidence := 60.0
		if value, err := cfg.TryInt("minConfidence"); err == nil {
			minConfidence = float64(value)
		}

		// The key, the two buckets (SSE-KMS with that key) and the access policy, attached
		// to the role that runs the jobs. No ManifestKey: the job is declared below.
		media, err := rekognitionmedia.NewMediaAnalysisPipeline(ctx, "media", &rekognitionmedia.MediaAnalysisPipelineArgs{
			AccountId:              pulumi.String(cfg.Require("accountId")),
			RoleName:               pulumi.String(cfg.Require("roleName")),
			OutputPrefix:           pulumi.String("results/"),
			ResultsExpireAfterDays: pulumi.Int(90),
			Tags:                   pulumi.StringMap{"team": pulumi.String("trust-and-safety")},
		})
		if err != nil {
			return err
		}

		// Reading the pipeline's outputs makes the job wait for the buckets, key and policy.
		nightly, err := rekognitionmedia.NewMediaAnalysisJob(ctx, "nightly", &rekognitionmedia.MediaAnalysisJobArgs{
			OperationsConfig: rekognitionmedia.MediaAnalysisOperationsConfigArgs{
				DetectModerationLabels: rekognitionmedia.MediaAnalysisDetectModerationLabelsConfigArgs{
					MinConfidence: pulumi.Float64(minConfidence),
				},
			},
			Input: rekognitionmedia.MediaAnalysisInputArgs{
				S3Object: rekognitionmedia.S3ObjectArgs{
					Bucket: media.InputBucketName,
					Name:   pulumi.String(manifest),
				},
			},
			OutputConfig: rekognitionmedia.MediaAnalysisOutputConfigArgs{
				S3Bucket:    media.OutputBucketName,
				S3KeyPrefix: pulumi.String("results/"),
			},
			KmsKeyId: media.KeyArn,
		})
		if err != nil {
			return err
		}

		ctx.Export("status", nightly.Status)
		ctx.Export("resultsUri", nightly.ResultsUri)
		ctx.Export("imagesFlagged", nightly.ModerationSummary.ImagesFlagged())
		ctx.Export("policyArn", media.PolicyArn)
		return nil
	})
}
