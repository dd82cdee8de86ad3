/**
 * A fleet scan holds a vendor object (session, client) per target only while a certificate that uses it is still to
 * be judged: a certificate's own target is closed as soon as that certificate is judged, one shared by several
 * only after the last of them, and each exactly once (the run's close does not close it again). At 10,000 devices
 * this is what kept the scheduler's memory growing to the end of the scan.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";
import { scanFleetEach } from "../src/fleet/index.js";
import { providerCatalog } from "../src/providers/catalog.js";
import { builtInProviders } from "../src/providers/index.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { TestCA } from "../src/sandbox/ca.js";
import { ManualClock } from "../src/sandbox/server.js";
import { FileStore } from "../src/store/index.js";
import { certFacts } from "../src/x509/index.js";
import { definition as vault } from "./providers/sixth/index.js";
import { MemoryVault } from "./providers/sixth/vault.js";
import { testProviderContext } from "./support/context.js";

const NOW = new Date("2026-11-24T12:00:00Z");
/** what happened, in order: "closed <mount>" when a target is closed, "judged <name>" when the scan hands it on */
const events: string[] = [];
const recording = {
  ...vault,
  target: {
    ...vault.target,
    create: (...args: Parameters<typeof vault.target.create>) => {
      const target = vault.target.create(...args);
      return {
        ...target,
        close: async () => {
          events.push(`closed ${args[0].mount}`);
          await target.close();
        },
      };
    },
  },
};
const catalog = providerCatalog([...builtInProviders, recording]);

const fleet = `
certificates:
  - name: one
    secret: certrelay/one
    targets:
      - { provider: vault, credentials: certrelay/vault, mount: own-one }
      - { provider: vault, credentials: certrelay/vault, mount: shared }
  - name: two
    secret: certrelay/two
    targets:
      - { provider: vault, credentials: certrelay/vault, mount: shared }
  - name: three
    secret: certrelay/three
    targets:
      - { provider: vault, credentials: certrelay/vault, mount: own-three }
      - { provider: vault, credentials: certrelay/vault, mount: shared }
`;

let dir: string;
let ca: TestCA;
const closers: (() => void)[] = [];
const clock = new ManualClock(NOW);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "certrelay-scan-close-"));
  ca = await TestCA.create({ name: "Scan Close", now: NOW });
});

afterAll(() => {
  for (const close of closers) close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a fleet scan's vendor objects", () => {
  it("closes a certificate's own target once it is judged, a shared one after the last user, each once", async () => {
    const store = new FileStore({ dir: join(dir, "store") });
    const shared = new MemoryVault("shared", ca, clock.now);
    const mounts = [new MemoryVault("own-one", ca, clock.now), new MemoryVault("own-three", ca, clock.now), shared];
    for (const mount of mounts) closers.push(mount.open());
    await store.putCredentials("certrelay/vault", { roleId: shared.roleId, secretId: shared.secretId });
    for (const name of ["one", "two", "three"]) {
      // 60 days left: not due, so each target is checked
      const material = await ca.issue({ commonName: `${name}.example.com`, notBefore: NOW, days: 60 });
      await store.putCurrent(`certrelay/${name}`, material);
      if (name !== "two") {
        const own = mounts.find((m) => m.mount === `own-${name}`);
        if (own) own.served = certFacts(material.certificate).serial;
      }
    }
    const config = await parseConfig(fleet, "certrelay.yml", catalog);
    const providers = new StoreBackedProviders(store, testProviderContext(clock.now, { ca: ca.rootPem }), catalog);
    try {
      // one at a time, so the order of closes and judgements is the config's
      await scanFleetEach(config, { store, clock: clock.now, providers, concurrency: 1 }, (entry) =>
        events.push(`judged ${entry.certificate.name}`),
      );
    } finally {
      await providers.close();
    }
    expect(events).toEqual([
      "closed own-one",
      "judged one",
      "judged two",
      "closed own-three",
      "closed shared",
      "judged three",
    ]);
  });
});
