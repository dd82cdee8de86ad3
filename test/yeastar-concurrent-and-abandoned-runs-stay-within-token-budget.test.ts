import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeadlineOverruns, lateTimeouts, leakedVendorSessions } from "../src/chaos/counters.js";
import { parseConfig, type ManagedCertificate } from "../src/config/index.js";
import { Deadline } from "../src/deadline.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { FileStore } from "../src/store/index.js";
import { startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

let f: YeastarFixture;
let dir: string;
let store: FileStore;
let cert: ManagedCertificate;

/** One run's vendor work: it logs in (or reuses a stored token) by listing the PBX's certificates. */
async function oneRun(finish: boolean): Promise<void> {
  const providers = new StoreBackedProviders(store, f.ctx);
  const [target] = await providers.targetsFor(cert);
  for await (const _ of target!.list()) void _;
  // an abandoned run is one that was killed: it never reaches its finally
  if (finish) await providers.close();
}

beforeAll(async () => {
  f = await startYeastarFixture();
  dir = await mkdtemp(join(tmpdir(), "certrelay-tokens-"));
  store = new FileStore({ dir });
  await store.putCredentials("certrelay/pbx", f.sandbox.credentials);
  cert = (
    await parseConfig(
      `certificates:\n  - name: pbx\n    secret: certrelay/pbx-web\n    targets:\n      - { provider: yeastar, endpoint: "${f.sandbox.url}", credentials: certrelay/pbx }\n`,
    )
  ).certificates[0]!;
});
afterAll(async () => {
  await f?.sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("runs that meet or die never exhaust the PBX's 8 access tokens", () => {
  it("twelve rounds of four concurrent runs, two of each killed, all log in; nothing is leaked", async () => {
    const overruns = new DeadlineOverruns(1_000);
    for (let round = 0; round < 12; round++) {
      const deadline = new Deadline({ budgetMs: 20_000, budget: "--timeout" });
      // every run must get in: a VENDOR_QUOTA from get_token would reject here
      await overruns.track(deadline, () => Promise.all([oneRun(true), oneRun(false), oneRun(true), oneRun(false)]));
      expect(f.sandbox.tokens.validAccessTokens()).toBeLessThanOrEqual(8);
      // what killed runs hold is recorded in the store, so it is reused, not leaked
      expect(await leakedVendorSessions(f.sandbox.tokens, store.sessions, "certrelay/pbx", f.sandbox.url)).toBe(0);
    }
    expect(overruns).toMatchObject({ runs: 12, overruns: 0 });
    // far fewer logins than runs: killed runs' tokens were taken over
    expect(f.sandbox.tokens.issued).toBeLessThan(48);

    // one clean run revokes what it takes over
    const before = f.sandbox.tokens.validAccessTokens();
    await oneRun(true);
    expect(f.sandbox.tokens.validAccessTokens()).toBeLessThanOrEqual(before);
    expect(await leakedVendorSessions(f.sandbox.tokens, store.sessions, "certrelay/pbx", f.sandbox.url)).toBe(0);
  }, 120_000);

  it("recorded tokens sit beside the credentials, never inside what a vendor client is given as credentials", async () => {
    const stored = await store.sessions.getSessions("certrelay/pbx", f.sandbox.url);
    for (const s of stored)
      expect(JSON.stringify(await store.getCredentials("certrelay/pbx"))).not.toContain(s.accessToken);
  });

  it("the chaos run counts a TIMEOUT found long after its budget ran out as a deadline overrun", () => {
    const onTime = JSON.stringify({
      error: "TIMEOUT: the --timeout budget of 3.6 s ran out after 3.7 s while deploying www",
    });
    const late = JSON.stringify({
      error: "TIMEOUT: the Lambda remaining time budget of 10.0 s ran out after 41.2 s while polling",
    });
    expect(lateTimeouts([onTime])).toBe(0);
    expect(lateTimeouts([onTime, late])).toBe(1);
  });
});
