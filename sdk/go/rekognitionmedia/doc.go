// Declarative AWS Rekognition media analysis (bulk image moderation) jobs: `pulumi up` starts a job and waits for it.
package rekognitionmedia
