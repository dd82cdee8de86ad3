import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../src/model.js";
import { createAcmeIssuer, type AcmeSettings } from "../src/providers/acme/index.js";
import { generateKeyAndCsr } from "../src/x509/index.js";
import { testProviderContext } from "./support/context.js";

describe("acme issuer: a CA that drops every connection", () => {
  let server: Server;
  let directory: string;
  let requests = 0;
  beforeAll(async () => {
    // Accepts the connection, reads the request, then drops it unanswered (the transport failure, not the TLS, is
    // what is under test, so plain HTTP keeps the fixture small; config only accepts https directories).
    server = createServer((req) => {
      requests += 1;
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    directory = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dir`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("retries the directory read, then fails with a NETWORK_ERROR naming the directory (not acme-client's TypeError)", async () => {
    const accountKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const settings = {
      directory,
      credentials: "acme/account",
      acceptTos: true,
      keyType: "ec256",
      dns: { provider: "httpreq", endpoint: "http://127.0.0.1:9" },
    } as unknown as AcmeSettings;
    const credentials = { accountKey, accountUrl: `${directory}/acct/1`, accountDirectory: directory };
    const issuer = createAcmeIssuer(settings, credentials, testProviderContext(systemClock, { retries: 2 }));
    const { csr } = await generateKeyAndCsr({
      keyType: "ecc",
      commonName: "drop.example.com",
      sans: ["drop.example.com"],
    });
    try {
      const failure = await issuer
        .issue({ csr, commonName: "drop.example.com", sans: ["drop.example.com"], reference: "drop-1" })
        .then(
          () => undefined,
          (error: unknown) => error as Error & { code?: string },
        );
      expect(failure).toMatchObject({ code: "NETWORK_ERROR", vendor: "acme" });
      expect(failure?.message).toContain(directory);
      expect(failure?.message).not.toMatch(/reading 'config'/);
      // the first read and two retries (ctx.retry.retries), nothing else
      expect(requests).toBe(3);
    } finally {
      await issuer.close();
      await issuer.close();
    }
  });
});
