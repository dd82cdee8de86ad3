import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFleetConfig } from "../src/fleet/config-source.js";
import { awsRemoteConfigReader } from "../src/fleet/remote-config.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";

const yamlFor = (name: string) =>
  `certificates:\n  - name: ${name}\n    secret: certrelay/${name}\n    targets:\n      - { provider: cdn, endpoint: "https://cdn.example", credentials: certrelay/cdn, verifyHost: ${name}.example.com }\n`;

describe("the Lambda reads certrelay.yml from SSM Parameter Store or S3 (CERTRELAY_CONFIG)", () => {
  let moto: MotoServer;
  let remote: ReturnType<typeof awsRemoteConfigReader>;
  beforeAll(async () => {
    moto = await startMoto();
    const aws = awsClientConfig(moto.endpoint);
    remote = awsRemoteConfigReader(aws);
    await new SSMClient(aws).send(
      new PutParameterCommand({ Name: "/certrelay/config", Value: yamlFor("from-ssm"), Type: "String" }),
    );
    const s3 = new S3Client({ ...aws, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "fleet-config" }));
    await s3.send(
      new PutObjectCommand({ Bucket: "fleet-config", Key: "prod/certrelay.yml", Body: yamlFor("from-s3") }),
    );
  });
  afterAll(async () => moto?.stop());

  it("loads ssm:/name", async () => {
    const loaded = await loadFleetConfig({
      path: "ssm:/certrelay/config",
      root: "/nonexistent",
      bundledPaths: [],
      remote,
    });
    expect(loaded.source).toBe("ssm:/certrelay/config");
    expect(loaded.config.certificates.map((c) => c.name)).toEqual(["from-ssm"]);
  });

  it("loads s3://bucket/key", async () => {
    const loaded = await loadFleetConfig({
      path: "s3://fleet-config/prod/certrelay.yml",
      root: "/nonexistent",
      bundledPaths: [],
      remote,
    });
    expect(loaded.source).toBe("s3://fleet-config/prod/certrelay.yml");
    expect(loaded.config.certificates.map((c) => c.name)).toEqual(["from-s3"]);
  });

  it("names the location and the fix when the parameter does not exist", async () => {
    await expect(
      loadFleetConfig({ path: "ssm:/certrelay/missing", root: "/", bundledPaths: [], remote }),
    ).rejects.toMatchObject({
      code: "STORE_NOT_FOUND",
      message: expect.stringContaining("ssm:/certrelay/missing"),
    });
  });

  it("refuses an s3 location without a key before any request", async () => {
    await expect(
      loadFleetConfig({ path: "s3://fleet-config", root: "/", bundledPaths: [], remote }),
    ).rejects.toMatchObject({ code: "INPUT_INVALID", field: "CERTRELAY_CONFIG" });
  });
});
