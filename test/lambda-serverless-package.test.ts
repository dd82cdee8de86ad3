import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "..");
const osls = join(repo, "node_modules", "osls", "bin", "serverless.js");

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

interface ServerlessFile {
  functions: Record<string, { handler: string }>;
}

/** `serverless package` needs no AWS account: it only renders CloudFormation and zips the artifact. */
describe("serverless.yml packages offline with osls", () => {
  let work: string;
  let template: Template;
  let zipEntries: string[];

  beforeAll(async () => {
    expect(existsSync(join(repo, "dist/lambda/scheduler.mjs")), "dist/lambda is missing: run `npm run build`").toBe(
      true,
    );
    // Package a copy, so the repo never gets a .serverless/, the test sees exactly what would ship, and a rebuild
    // running meanwhile cannot pull files from under it. It sits under node_modules/ so the copied bundles still
    // resolve the AWS SDK (external, as in the Lambda runtime) when imported.
    const cache = join(repo, "node_modules", ".cache");
    mkdirSync(cache, { recursive: true });
    work = mkdtempSync(join(cache, "certrelay-sls-"));
    cpSync(join(repo, "serverless.yml"), join(work, "serverless.yml"));
    cpSync(join(repo, "dist/lambda"), join(work, "dist/lambda"), { recursive: true });
    const out = join(work, "out");
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: work,
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      SLS_INTERACTIVE_SETUP_DISABLE: "1",
      CI: "1",
    };
    await run(process.execPath, [osls, "package", "--stage", "test", "--region", "eu-west-1", "--package", out], {
      cwd: work,
      env,
      timeout: 90_000,
    });
    template = JSON.parse(readFileSync(join(out, "cloudformation-template-update-stack.json"), "utf8")) as Template;
    const listing = await run("unzip", ["-Z1", join(out, "certrelay.zip")], { timeout: 10_000 });
    zipEntries = listing.stdout.trim().split("\n");
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  it("renders both functions on nodejs22.x from the esbuild artifacts", () => {
    const functions = ofType("AWS::Lambda::Function").map(([, r]) => r.Properties ?? {});
    expect(functions.map((f) => [f.FunctionName, f.Handler, f.Runtime]).sort()).toEqual([
      ["certrelay-test-scheduler", "dist/lambda/scheduler.handler", "nodejs22.x"],
      ["certrelay-test-worker", "dist/lambda/worker.handler", "nodejs22.x"],
    ]);
    const worker = functions.find((f) => f.FunctionName === "certrelay-test-worker");
    expect(worker?.ReservedConcurrentExecutions).toBe(2);
    // one scheduler at a time: a manual invoke or a retried event never runs beside the daily run
    expect(functions.find((f) => f.FunctionName === "certrelay-test-scheduler")?.ReservedConcurrentExecutions).toBe(1);
    expect(zipEntries.every((e) => e.startsWith("dist/lambda/") || e === "certrelay.yml")).toBe(true);
    expect(zipEntries).toEqual(expect.arrayContaining(["dist/lambda/scheduler.mjs", "dist/lambda/worker.mjs"]));
  });

  it("has the daily schedule, the queue with its DLQ, and the SQS trigger reporting batch item failures", () => {
    const rules = ofType("AWS::Events::Rule").map(([, r]) => r.Properties ?? {});
    expect(rules.map((r) => r.ScheduleExpression)).toEqual(["rate(1 day)"]);
    const queue = template.Resources.RenewalQueue?.Properties ?? {};
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": ["RenewalDLQ", "Arn"] },
      maxReceiveCount: 3,
    });
    expect(template.Resources.RenewalDLQ?.Type).toBe("AWS::SQS::Queue");
    // FIFO, one message group per certificate (fan-out sets it): one certificate is never in two workers at once
    expect(queue).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
    expect(String(queue.QueueName)).toMatch(/\.fifo$/);
    expect(template.Resources.RenewalDLQ?.Properties).toMatchObject({ FifoQueue: true });
    const workerTimeout = Number(
      ofType("AWS::Lambda::Function").find(([, r]) => r.Properties?.FunctionName === "certrelay-test-worker")?.[1]
        .Properties?.Timeout,
    );
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThan(workerTimeout);
    const [mapping] = ofType("AWS::Lambda::EventSourceMapping").map(([, r]) => r.Properties ?? {});
    expect(mapping?.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(mapping?.EventSourceArn).toEqual({ "Fn::GetAtt": ["RenewalQueue", "Arn"] });
  });

  it("grants Secrets Manager actions only on certrelay/* secrets, and queue access per function", () => {
    // reads that take no resource (the scheduler's batched scan) are the only ones granted on "*"
    const unscopedReads = ["secretsmanager:BatchGetSecretValue", "secretsmanager:ListSecrets"];
    const statements = (role: string) =>
      (
        (template.Resources[role]?.Properties?.Policies as {
          PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
        }[]) ?? []
      ).flatMap((p) => p.PolicyDocument.Statement);
    for (const role of ["SchedulerRole", "WorkerRole"]) {
      const all = statements(role);
      expect(all.flatMap((s) => [s.Action].flat()).some((a) => a === "*" || a.endsWith(":*"))).toBe(false);
      const secrets = all.filter((s) =>
        [s.Action].flat().some((a) => a.startsWith("secretsmanager:") && !unscopedReads.includes(a)),
      );
      expect(secrets).toHaveLength(1);
      expect(JSON.stringify(secrets[0]?.Resource)).toContain(":secret:certrelay/*");
    }
    const batchReads = statements("SchedulerRole").filter((s) =>
      [s.Action].flat().some((a) => unscopedReads.includes(a)),
    );
    expect(batchReads.flatMap((s) => [s.Action].flat()).every((a) => unscopedReads.includes(a))).toBe(true);
    const sqsActions = (role: string) =>
      statements(role)
        .flatMap((s) => [s.Action].flat())
        .filter((a) => a.startsWith("sqs:"));
    expect(sqsActions("SchedulerRole")).toEqual(["sqs:SendMessage"]);
    expect(sqsActions("WorkerRole")).toEqual(expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage"]));
    expect(sqsActions("WorkerRole")).not.toContain("sqs:SendMessage");
  });

  it("lets both functions change only _acme-challenge TXT records in Route53 (ACME DNS-01)", () => {
    for (const role of ["SchedulerRole", "WorkerRole"]) {
      const policies =
        (template.Resources[role]?.Properties?.Policies as {
          PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] };
        }[]) ?? [];
      const route53 = policies
        .flatMap((p) => p.PolicyDocument.Statement)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith("route53:")));
      const writes = route53.filter((s) => [s.Action].flat().includes("route53:ChangeResourceRecordSets"));
      expect(writes).toHaveLength(1);
      expect(writes[0]?.Condition).toEqual({
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
        "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
      });
      expect(route53.filter((s) => s.Resource === "*").flatMap((s) => [s.Action].flat())).toEqual([
        "route53:ListHostedZones",
      ]);
    }
  });

  it("names handlers that the built bundles export", async () => {
    const file = parse(readFileSync(join(repo, "serverless.yml"), "utf8"), {
      customTags: cloudFormationTags,
    }) as ServerlessFile;
    const handlers = Object.values(file.functions).map((f) => f.handler);
    expect(handlers).toHaveLength(2);
    for (const handler of handlers) {
      const dot = handler.lastIndexOf(".");
      const modulePath = join(work, `${handler.slice(0, dot)}.mjs`);
      const exported = await exportsOf(modulePath);
      expect(
        exported[handler.slice(dot + 1)],
        `${handler} in ${readdirSync(join(work, "dist/lambda")).join(", ")}`,
      ).toBe("function");
    }
  }, 60_000);
});

/**
 * Import the bundle in a plain Node process, as the Lambda runtime does (no test transform in between), and report
 * the type of each export.
 */
async function exportsOf(modulePath: string): Promise<Record<string, string>> {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(modulePath).href)}); process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    cwd: dirname(modulePath),
    timeout: 30_000,
  });
  return JSON.parse(stdout) as Record<string, string>;
}

/** CloudFormation short forms (!Ref, !GetAtt, !Sub) read as plain values; only `functions` matters here. */
const cloudFormationTags = ["Ref", "GetAtt", "Sub"].flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => ({ [name]: value }) },
  { tag: `!${name}`, collection: "seq" as const, resolve: (value: unknown) => ({ [name]: value }) },
]);
