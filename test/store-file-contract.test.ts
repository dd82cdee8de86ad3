import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FileStore } from "../src/store/index.js";
import { describeStoreContract, oldMaterial, pendingRenewal } from "./support/store-contract.js";

let root: string;
let dir: string;
let round = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "certrelay-file-store-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
beforeEach(() => {
  round += 1;
  dir = join(root, `round-${round}`);
});

describeStoreContract("file", {
  store: () => new FileStore({ dir }),
  async previous(secretId) {
    const text = await readFile(new FileStore({ dir }).pathFor(secretId), "utf8");
    return (JSON.parse(text) as { previous?: typeof oldMaterial }).previous;
  },
  async seedCredentials(secretId, value) {
    const store = new FileStore({ dir });
    await mkdir(dir, { recursive: true });
    await writeFile(store.pathFor(secretId), JSON.stringify({ current: value }), { mode: 0o600 });
  },
});

describe("file store on disk", () => {
  it("writes one 0600 file per secret, with '/' kept out of the path, and no temp files left", async () => {
    const store = new FileStore({ dir });
    await store.putCurrent("certrelay/www", oldMaterial);
    await store.putPending("certrelay/www", pendingRenewal());
    expect(await readdir(dir)).toEqual(["certrelay%2Fwww.json"]);
    const mode = (await stat(join(dir, "certrelay%2Fwww.json"))).mode & 0o777;
    expect(mode.toString(8)).toBe("600");
  });

  it("cannot be steered outside its directory by a secret id", async () => {
    const store = new FileStore({ dir });
    await store.putCurrent("../../escape", oldMaterial);
    expect(await readdir(dir)).toEqual(["..%2F..%2Fescape.json"]);
    expect(await store.getCurrent("../../escape")).toEqual(oldMaterial);
  });

  it("reports a corrupt file by path without echoing its content", async () => {
    const store = new FileStore({ dir });
    await store.putCurrent("certrelay/www", oldMaterial);
    await writeFile(store.pathFor("certrelay/www"), "{ not json OLD-KEY-MARKER");
    await expect(store.getCurrent("certrelay/www")).rejects.toMatchObject({ code: "STORE_ERROR" });
    await expect(store.getCurrent("certrelay/www")).rejects.not.toThrow(/MARKER/);
  });
});
