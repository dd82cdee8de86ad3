import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certrelay, requireBuiltCli, ROOT } from "./support/cli.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";

const SCHEDULER = join(ROOT, "dist/lambda/scheduler.mjs");
const demo = join(ROOT, "tmp", `lambda-one-bad-${process.pid}`);

type LogLine = Record<string, unknown>;

/**
 * The built scheduler in plain node, as the README's local recipe runs it (env vars, AWS_ENDPOINT_URL at moto): the
 * handler's log lines and its result.
 */
function runScheduler(moto: MotoServer): Promise<{ code: number; logs: LogLine[]; stdout: string; stderr: string }> {
  const script = `const { handler } = await import(${JSON.stringify(SCHEDULER)});
const result = await handler({}, { getRemainingTimeInMillis: () => 600000, awsRequestId: "req-1" });
console.log(JSON.stringify({ handlerResult: result }));`;
  const env = {
    ...process.env,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL: moto.endpoint,
    CERTRELAY_CONFIG: join(demo, "certrelay.yml"),
    CERTRELAY_CA_FILE: join(demo, "ca.pem"),
    RESERVE_MS: "20000",
  };
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      { cwd: ROOT, env, timeout: 180_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const logs: LogLine[] = [];
        for (const line of String(stdout).split("\n")) {
          try {
            const parsed = JSON.parse(line) as unknown;
            if (typeof parsed === "object" && parsed !== null) logs.push(parsed as LogLine);
          } catch {
            // not a log line
          }
        }
        done({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          logs,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
  });
}

function failureOf(logs: LogLine[], certificate: string): LogLine | undefined {
  return logs.find((l) => l.certificate === certificate && l.action === "failed");
}

describe("the built Lambda scheduler: one bad certificate never stops the others, a refused login names its secret", () => {
  let moto: MotoServer;
  let sandbox: ChildProcess | undefined;
  let sm: SecretsManagerClient;
  const original = new Map<string, string>();
  const secretValues: string[] = [];

  const read = async (id: string) =>
    (await sm.send(new GetSecretValueCommand({ SecretId: id, VersionStage: "AWSCURRENT" }))).SecretString ?? "";
  const write = (id: string, value: string) =>
    sm.send(new PutSecretValueCommand({ SecretId: id, SecretString: value, VersionStages: ["AWSCURRENT"] }));

  beforeAll(async () => {
    requireBuiltCli();
    expect(existsSync(SCHEDULER), "dist/lambda/scheduler.mjs is missing: run `npm run build`").toBe(true);
    moto = await startMoto();
    sm = new SecretsManagerClient(awsClientConfig(moto.endpoint));
    mkdirSync(demo, { recursive: true });
    const portFile = join(demo, "sandbox.json");
    sandbox = spawn(
      process.execPath,
      [
        join(ROOT, "bin/certrelay.js"),
        "sandbox",
        "--demo-dir",
        demo,
        "--port-file",
        portFile,
        "--seed-aws-endpoint",
        moto.endpoint,
      ],
      {
        env: {
          ...process.env,
          NO_COLOR: "1",
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
        },
        stdio: "ignore",
      },
    );
    for (let i = 0; i < 300 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(portFile), "the sandbox did not start").toBe(true);
    for (const id of ["demo/api", "demo/static", "demo/yeastar", "demo/cdn", "demo/www", "demo/device-42"]) {
      const value = await read(id);
      original.set(id, value);
      for (const v of Object.values(JSON.parse(value) as Record<string, string>))
        if (typeof v === "string" && v.length >= 8) secretValues.push(v.trim());
    }
  }, 60_000);

  afterAll(async () => {
    if (sandbox && sandbox.exitCode === null) {
      const exited = new Promise((r) => sandbox?.once("exit", r));
      sandbox.kill("SIGTERM");
      await exited;
    }
    sm?.destroy();
    await moto?.stop();
    rmSync(demo, { recursive: true, force: true });
  });

  it("a value missing privateKey and a value that is not JSON fail those two only, named; a refused PBX login names demo/yeastar and username/password; device-42 is renewed", async () => {
    const api = JSON.parse(original.get("demo/api") ?? "{}") as Record<string, string>;
    await write("demo/api", JSON.stringify({ certificate: api.certificate, chain: api.chain }));
    await write("demo/static", "certificate: not json");
    const wrongPassword = "Wrong-Pbx-Pass-7731";
    await write(
      "demo/yeastar",
      JSON.stringify({ ...(JSON.parse(original.get("demo/yeastar") ?? "{}") as object), password: wrongPassword }),
    );

    const run = await runScheduler(moto);
    expect(run.stderr).not.toMatch(/Error:.*\n\s+at /);
    const result = run.logs.find((l) => "handlerResult" in l)?.handlerResult as
      | { counts?: Record<string, number> }
      | undefined;
    expect(result?.counts).toMatchObject({ renewed: 1, failed: 3 });

    const apiFailure = failureOf(run.logs, "api");
    // the real class name rides along as errorType (the bundle keeps names), as Lambda names a thrown error's
    expect(apiFailure).toMatchObject({ errorCode: "STORE_ERROR", errorType: "StoreError" });
    expect(String(apiFailure?.error)).toContain("demo/api");
    expect(String(apiFailure?.error)).toContain("missing field privateKey");

    const staticFailure = failureOf(run.logs, "static");
    expect(staticFailure).toMatchObject({ errorCode: "STORE_ERROR", errorType: "StoreError" });
    expect(String(staticFailure?.error)).toMatch(/demo\/static.*does not hold valid JSON/);

    const wwwFailure = failureOf(run.logs, "www");
    expect(wwwFailure).toMatchObject({ errorCode: "AUTH_FAILED", errorType: "AuthError" });
    expect(String(wwwFailure?.error)).toContain(
      "check the fields 'username' and 'password' of the credentials secret 'demo/yeastar'",
    );

    // the one healthy certificate went on: renewed in Secrets Manager
    expect(failureOf(run.logs, "device-42")).toBeUndefined();
    expect(await read("demo/device-42")).not.toBe(original.get("demo/device-42"));

    for (const secret of [...secretValues, wrongPassword]) expect(run.stdout + run.stderr).not.toContain(secret);
  }, 200_000);

  it("a refused CDN signature names demo/cdn with accessKeyId/accessKeySecret, in the Lambda's log and in the CLI's renew over certrelay.yml", async () => {
    for (const id of ["demo/api", "demo/static", "demo/yeastar"]) await write(id, original.get(id) ?? "");
    const wrongSecret = "Wrong-Cdn-Secret-0042";
    await write(
      "demo/cdn",
      JSON.stringify({ ...(JSON.parse(original.get("demo/cdn") ?? "{}") as object), accessKeySecret: wrongSecret }),
    );
    const hint = "check the fields 'accessKeyId' and 'accessKeySecret' of the credentials secret 'demo/cdn'";

    const run = await runScheduler(moto);
    // api is due: its new certificate reaches no target, and the log line says why
    const failure = failureOf(run.logs, "api");
    expect(failure).toMatchObject({ errorCode: "AUTH_FAILED" });
    expect(String(failure?.error)).toContain(hint);

    // the CLI over the same certrelay.yml: renew goes on with api's issued renewal and meets the same refusal
    const renew = await certrelay(
      [
        "renew",
        "--config",
        join(demo, "certrelay.yml"),
        "--aws-endpoint",
        moto.endpoint,
        "--ca-file",
        join(demo, "ca.pem"),
        "--only",
        "api",
        "--json",
      ],
      {
        env: { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
      },
    );
    expect(renew.code, renew.stderr).toBe(1);
    expect(renew.stdout).toContain("AUTH_FAILED");
    expect(renew.stdout).toContain(hint);

    for (const secret of [...secretValues, wrongSecret])
      expect(run.stdout + run.stderr + renew.stdout + renew.stderr).not.toContain(secret);
  }, 200_000);
});
