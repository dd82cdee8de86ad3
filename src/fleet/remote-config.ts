/**
 * certrelay.yml kept outside the function: an SSM parameter (`ssm:/certrelay/config`) or an S3 object
 * (`s3://bucket/key`), so the fleet can change without redeploying the Lambda. The SDK clients are imported on
 * first use: a function that reads a bundled file never loads them.
 */
import { CertrelayError, ErrorCodes } from "../errors.js";

export type RemoteConfigLocation = { kind: "ssm"; name: string } | { kind: "s3"; bucket: string; key: string };

export interface RemoteConfigReader {
  read(location: RemoteConfigLocation): Promise<string>;
}

/** `ssm:/name` or `s3://bucket/key`; anything else is a file path (undefined here). */
export function parseRemoteLocation(value: string): RemoteConfigLocation | undefined {
  if (value.startsWith("ssm:")) {
    const name = value.slice("ssm:".length);
    if (!name)
      throw new CertrelayError(
        ErrorCodes.INPUT_INVALID,
        "CERTRELAY_CONFIG ssm: needs a parameter name, e.g. ssm:/certrelay/config",
        { field: "CERTRELAY_CONFIG" },
      );
    return { kind: "ssm", name };
  }
  if (value.startsWith("s3://")) {
    const rest = value.slice("s3://".length);
    const slash = rest.indexOf("/");
    if (slash <= 0 || slash === rest.length - 1) {
      throw new CertrelayError(
        ErrorCodes.INPUT_INVALID,
        "CERTRELAY_CONFIG s3:// needs a bucket and a key, e.g. s3://my-bucket/certrelay.yml",
        { field: "CERTRELAY_CONFIG" },
      );
    }
    return { kind: "s3", bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
  }
  return undefined;
}

export function describeLocation(location: RemoteConfigLocation): string {
  return location.kind === "ssm" ? `ssm:${location.name}` : `s3://${location.bucket}/${location.key}`;
}

/** Reads with the AWS SDK; `clientConfig` is for tests (moto endpoint), production uses the Lambda environment. */
export function awsRemoteConfigReader(clientConfig: object = {}): RemoteConfigReader {
  return {
    async read(location) {
      try {
        if (location.kind === "ssm") {
          const { SSMClient, GetParameterCommand } = await import("@aws-sdk/client-ssm");
          const client = new SSMClient(clientConfig);
          try {
            const out = await client.send(new GetParameterCommand({ Name: location.name, WithDecryption: true }));
            return out.Parameter?.Value ?? "";
          } finally {
            client.destroy();
          }
        }
        const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3");
        const client = new S3Client({ forcePathStyle: true, ...clientConfig });
        try {
          const out = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
          return (await out.Body?.transformToString("utf8")) ?? "";
        } finally {
          client.destroy();
        }
      } catch (error) {
        // The SDK's message may quote request details; the error name and the location are enough to act on.
        const name = error instanceof Error ? error.name : "Error";
        throw new CertrelayError(
          ErrorCodes.STORE_NOT_FOUND,
          `could not read certrelay.yml from ${describeLocation(location)} (${name}): check that it exists and that the function's role may read it`,
          { field: "CERTRELAY_CONFIG", cause: error },
        );
      }
    },
  };
}
