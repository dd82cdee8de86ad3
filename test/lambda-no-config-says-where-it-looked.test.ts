import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ROOT, requireBuiltCli } from "./support/cli.js";

// Under lambda-local (README) the task root is the handler's own folder, dist/lambda/: the bundled certrelay.yml is
// looked for in one place, and the message says it once, not "looked in X, X".
describe("built scheduler with no config anywhere", () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it("fails with INPUT_MISSING naming the one place it looked and the variables that fix it", async () => {
    requireBuiltCli(); // `npm run build` also writes dist/lambda/
    const taskRoot = join(ROOT, "dist/lambda");
    const { handler } = (await import(join(taskRoot, "scheduler.mjs"))) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    process.env = { ...saved, LAMBDA_TASK_ROOT: taskRoot, AWS_REGION: "us-east-1" };
    delete process.env.CERTRELAY_CONFIG;
    delete process.env.CERTRELAY_CONFIG_YAML;
    delete process.env.CERTRELAY_CA_FILE;
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
    let error: unknown;
    try {
      await handler({ "detail-type": "Scheduled Event" }, { getRemainingTimeInMillis: () => 60_000 });
    } catch (caught) {
      error = caught;
    } finally {
      write.mockRestore();
    }
    const message = `no certrelay.yml found (looked in ${join(taskRoot, "certrelay.yml")}); bundle one with the function, or set CERTRELAY_CONFIG (a path, ssm:/name or s3://bucket/key) or CERTRELAY_CONFIG_YAML (the YAML)`;
    expect(error).toMatchObject({ code: "INPUT_MISSING", message });
    const failed = output
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === "run failed");
    expect(failed).toMatchObject({ errorCode: "INPUT_MISSING", error: message });
  });
});
