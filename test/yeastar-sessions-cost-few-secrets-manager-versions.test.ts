/**
 * Yeastar runs record their PBX token on the credentials secret (SESSIONS label) so a killed run's token is reused
 * and revoked later. In Secrets Manager every write of that record is a new version of the credentials secret: AWS
 * removes unlabelled versions beyond 100 only once they are a day old and advises against updating one secret
 * often, and many PBXs commonly share one credentials secret. So a run that deploys and logs out writes the record
 * twice (its token recorded, then dropped), not once per lock taken and freed around each write; and runs that meet
 * still share one token and leak none.
 */
import { ListSecretVersionIdsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leakedVendorSessions } from "../src/chaos/counters.js";
import { parseConfig, type ManagedCertificate } from "../src/config/index.js";
import { StoreBackedProviders } from "../src/providers/registry.js";
import { SecretsManagerStore } from "../src/store/index.js";
import { awsClientConfig, startMoto, type MotoServer } from "./support/moto.js";
import { startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

const CREDENTIALS = "certrelay/pbx-admin";

let moto: MotoServer;
let f: YeastarFixture;
let cert: ManagedCertificate;
const clients: SecretsManagerClient[] = [];

/** A store of its own, as another process would have (no in-process queue shared with the other runs). */
function newStore(): SecretsManagerStore {
  const client = new SecretsManagerClient(awsClientConfig(moto.endpoint));
  clients.push(client);
  return new SecretsManagerStore(client);
}

/** Every version the credentials secret has, labelled or not (unlabelled ones count against the quota too). */
async function versions(): Promise<number> {
  const client = clients[0]!;
  let count = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: CREDENTIALS, IncludeDeprecated: true, NextToken: token }),
    );
    count += page.Versions?.length ?? 0;
    token = page.NextToken;
  } while (token);
  return count;
}

beforeAll(async () => {
  moto = await startMoto();
  f = await startYeastarFixture();
  await newStore().putCredentials(CREDENTIALS, f.sandbox.credentials);
  cert = (
    await parseConfig(
      `certificates:\n  - name: pbx\n    secret: certrelay/pbx-web\n    targets:\n      - { provider: yeastar, endpoint: "${f.sandbox.url}", credentials: ${CREDENTIALS} }\n`,
    )
  ).certificates[0]!;
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.destroy();
  await f?.sandbox.stop();
  await moto?.stop();
});

describe("Yeastar session records on a Secrets Manager credentials secret", () => {
  it("a run that logs in, deploys and logs out writes at most 2 versions of the credentials secret", async () => {
    const before = await versions();
    const store = newStore();
    const providers = new StoreBackedProviders(store, f.ctx);
    const [target] = await providers.targetsFor(cert);
    const material = await f.ca.issue({ commonName: "pbx.example.com", days: 90 });
    expect(await target!.deploy(material)).toMatchObject({ changed: true });
    await providers.close();

    expect((await versions()) - before).toBeLessThanOrEqual(2);
    // logged out: nothing live at the PBX, nothing left recorded
    expect(f.sandbox.tokens.validAccessTokens()).toBe(0);
    expect(await store.sessions.getSessions(CREDENTIALS, f.sandbox.url)).toEqual([]);
    // the credentials are still what every reader of AWSCURRENT gets
    expect(await store.getCredentials(CREDENTIALS)).toEqual(f.sandbox.credentials);
  });

  it("five runs at once against one PBX share a token and leak none", async () => {
    const issuedBefore = f.sandbox.tokens.issued;
    const runs = Array.from({ length: 5 }, async () => {
      const store = newStore();
      const providers = new StoreBackedProviders(store, f.ctx);
      const [target] = await providers.targetsFor(cert);
      const listed: unknown[] = [];
      for await (const c of target!.list()) listed.push(c);
      return { providers, listed };
    });
    const done = await Promise.all(runs);
    // all five are in at once: while they run, every live token is recorded (a kill now would leak nothing)
    for (const { listed } of done) expect(listed).toHaveLength(1);
    expect(await leakedVendorSessions(f.sandbox.tokens, newStore().sessions, CREDENTIALS, f.sandbox.url)).toBe(0);
    // runs that logged in together kept one token between them and revoked the others at once
    expect(f.sandbox.tokens.validAccessTokens()).toBe(1);
    expect(f.sandbox.tokens.issued - issuedBefore).toBeLessThanOrEqual(5);

    await Promise.all(done.map(({ providers }) => providers.close()));
    expect(f.sandbox.tokens.validAccessTokens()).toBe(0);
    expect(await newStore().sessions.getSessions(CREDENTIALS, f.sandbox.url)).toEqual([]);
  }, 60_000);
});
