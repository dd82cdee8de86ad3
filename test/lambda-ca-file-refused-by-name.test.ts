import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { handler } from "../lambda/scheduler.js";
import { TestCA } from "../src/sandbox/ca.js";

// The Lambda's user sets CERTRELAY_CA_FILE in its environment: a wrong path or a file that is not a PEM CA must be
// refused by the variable's name and the fix before any call goes out (as the CLI's --ca-file), not surface as a raw
// ENOENT (INTERNAL) or as every TLS verify failing later. A relative path resolves against the task root, as
// CERTRELAY_CONFIG does, not against whatever directory lambda-local was started in.
describe("scheduler entry: CERTRELAY_CA_FILE", () => {
  const saved = { ...process.env };
  let root: string;
  let server: Server;
  let connections = 0;
  let endpoint: string;
  let caPem: string;
  let keyPem: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "certrelay-ca-env-"));
    writeFileSync(join(root, "not-a-ca.pem"), "this is a README, not a certificate\n");
    caPem = (await TestCA.create({ name: "Env" })).chainPem;
    writeFileSync(join(root, "ca.pem"), caPem);
    // the CA with a private key beside it, as a user who copies a whole "fullchain + key" file would give it
    keyPem = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    writeFileSync(join(root, "ca-and-key.pem"), `${caPem}${keyPem}`);
    // stands for both Secrets Manager and the vendor: any call at all is counted, and refused
    server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise((closed) => server.close(closed));
    rmSync(root, { recursive: true, force: true });
  });

  async function invoke(caFile: string, id: string): Promise<{ error: unknown; logged: Record<string, unknown>[] }> {
    process.env = {
      ...saved,
      LAMBDA_TASK_ROOT: root,
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test-secret-Kp4",
      CERTRELAY_CA_FILE: caFile,
      CERTRELAY_CONFIG_YAML: [
        "certificates:",
        "  - name: www",
        "    secret: certrelay/www",
        "    targets:",
        `      - { provider: cdn, endpoint: '${endpoint.replace("http:", "https:")}', credentials: certrelay/cdn }`,
      ].join("\n"),
    };
    const output: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
    let error: unknown;
    try {
      await handler(
        { "detail-type": "Scheduled Event" },
        { getRemainingTimeInMillis: () => 800_000, awsRequestId: id },
      );
    } catch (caught) {
      error = caught;
    } finally {
      write.mockRestore();
    }
    expect(output.join("")).not.toContain("test-secret-Kp4");
    const logged = output
      .join("")
      .trim()
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { error, logged };
  }

  it("a missing file fails the run with CONFIG_INVALID naming the variable and the fix, before any call", async () => {
    const { error, logged } = await invoke("/nope/ca.pem", "req-missing");
    expect(error).toMatchObject({ code: "CONFIG_INVALID", field: "CERTRELAY_CA_FILE" });
    const failed = logged.find((l) => l.message === "run failed");
    expect(failed).toMatchObject({ errorCode: "CONFIG_INVALID", errorType: "InputError" });
    expect(String(failed?.error)).toContain("CERTRELAY_CA_FILE: /nope/ca.pem cannot be read");
    expect(String(failed?.error)).toContain("set it to the path of a PEM file with the CA certificate(s)");
    expect(String(failed?.error)).not.toContain("ENOENT");
    expect(connections).toBe(0);
  });

  it("a file with no PEM certificate is refused the same way, and a relative path is read from the task root", async () => {
    const { error, logged } = await invoke("not-a-ca.pem", "req-not-pem");
    expect(error).toMatchObject({ code: "CONFIG_INVALID", field: "CERTRELAY_CA_FILE" });
    expect(String(logged.find((l) => l.message === "run failed")?.error)).toBe(
      `CERTRELAY_CA_FILE: ${join(root, "not-a-ca.pem")} holds no PEM certificate (a BEGIN CERTIFICATE block): set it to a file with the CA certificate(s) in PEM`,
    );
    expect(connections).toBe(0);
  });

  it("a file holding a private key beside the CA is refused naming the variable and the block, the key never logged", async () => {
    const { error, logged } = await invoke("ca-and-key.pem", "req-key");
    expect(error).toMatchObject({ code: "CONFIG_INVALID", field: "CERTRELAY_CA_FILE" });
    const said = String(logged.find((l) => l.message === "run failed")?.error);
    expect(said).toContain(`CERTRELAY_CA_FILE: ${join(root, "ca-and-key.pem")} block 3 is a private key`);
    const body = keyPem.split("\n")[1] as string;
    expect(JSON.stringify(logged)).not.toContain(body);
    expect(connections).toBe(0);
  });

  it("a PEM CA given relative to the task root is accepted: the run goes on to the store", async () => {
    const { error, logged } = await invoke("ca.pem", "req-good");
    expect(error).toBeUndefined();
    expect(logged.some((l) => l.errorCode === "CONFIG_INVALID")).toBe(false);
    // the store (here: a port that hangs up) was asked for the certificate
    expect(logged.find((l) => l.certificate === "www")).toMatchObject({ errorCode: "STORE_ERROR" });
    expect(connections).toBeGreaterThan(0);
  });
});
