import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileStore } from "../src/store/index.js";

let dir: string;

/**
 * A real writer that dies between writing its temp file and renaming it: a child process writes a temp file
 * named the way FileStore names them (with its own pid), holding a private key, and is SIGKILLed.
 */
async function killedWriter(secretFile: string, body: string): Promise<string> {
  const script = `
    const { writeFileSync } = require("node:fs");
    const { randomUUID } = require("node:crypto");
    const name = require("node:path").join(process.argv[1], "." + process.argv[2] + "." + process.pid + "." + randomUUID() + ".tmp");
    writeFileSync(name, process.argv[3], { mode: 0o600 });
    process.stdout.write(name + "\\n");
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["-e", script, dir, secretFile, body], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const name = await new Promise<string>((resolve) =>
    child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return name;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "certrelay-sweep-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the file store leaves no private key outside its secret's file", () => {
  it("a store started after a SIGKILLed writer removes the writer's temp file, and keeps a live writer's", async () => {
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const orphan = await killedWriter("certrelay%2Fwww", JSON.stringify({ current: { privateKey: key } }));
    // a temp file this very process is writing must survive: renaming it is still to come
    const live = join(dir, `.certrelay%2Fapi.${process.pid}.0b9c3a8e-6f0e-4a57-9d2b-1f4c2e7a9b10.tmp`);
    await writeFile(live, "{}", { mode: 0o600 });
    expect((await readdir(dir)).filter((n) => n.endsWith(".tmp"))).toHaveLength(2);

    const store = new FileStore({ dir });
    expect(await store.getCurrent("certrelay/www")).toBeUndefined();

    const left = (await readdir(dir)).filter((n) => n.endsWith(".tmp"));
    expect(left).toEqual([live.slice(dir.length + 1)]);
    expect(left).not.toContain(orphan.slice(dir.length + 1));
    await rm(live);
  });

  it("every write goes through a temp file that is gone afterwards, on success and on failure", async () => {
    const store = new FileStore({ dir });
    await store.putCredentials("certrelay/pbx", { username: "u", password: "p" });
    await store.sessions.putSession("certrelay/pbx", "https://pbx", {
      accessToken: "a1",
      refreshToken: "r1",
      accessExpiresAt: 1,
      refreshExpiresAt: 2,
    });
    // a pending renewal the schema refuses is never written, and leaves nothing behind
    await expect(store.putPending("certrelay/www", { reference: "x" } as never)).rejects.toMatchObject({
      code: "STORE_ERROR",
    });
    expect((await readdir(dir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect(JSON.parse(await readFile(store.pathFor("certrelay/pbx"), "utf8"))).toMatchObject({
      current: { username: "u" },
      sessions: { "https://pbx": [{ accessToken: "a1" }] },
    });
    await store.sessions.removeSession("certrelay/pbx", "https://pbx", "a1");
    expect(await store.sessions.getSessions("certrelay/pbx", "https://pbx")).toEqual([]);
    expect(await store.getCredentials("certrelay/pbx")).toEqual({ username: "u", password: "p" });
  });
});
