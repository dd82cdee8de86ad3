/** generateKeyAndCsr then inspectCsr gives back what was asked for: common name, SANs, key type, a valid signature. */
import { createPrivateKey, createPublicKey } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateKeyAndCsr, inspectCsr } from "../src/x509/index.js";

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const hostname = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom("com", "example", "io", "net"))
  .map(([parts, tld]) => [...parts, tld].join("."));
const request = fc.record({
  commonName: hostname,
  extra: fc.uniqueArray(hostname, { maxLength: 3 }),
  wildcard: fc.boolean(),
});

describe("CSR generation round-trips", () => {
  for (const [keyType, numRuns] of [
    ["ecc", 25],
    ["rsa", 6],
  ] as const) {
    it(`${keyType}: CN, SANs and key type come back`, async () => {
      await fc.assert(
        fc.asyncProperty(request, async ({ commonName, extra, wildcard }) => {
          const sans = [...new Set([commonName, ...extra, ...(wildcard ? [`*.${commonName}`] : [])])];
          const generated = await generateKeyAndCsr({ keyType, commonName, sans });
          const facts = await inspectCsr(generated.csr);
          expect(facts.commonName).toBe(commonName);
          expect([...facts.sans].sort()).toEqual([...sans].sort());
          expect(facts.keyType).toBe(keyType === "ecc" ? "ec" : "rsa");
          expect(facts.signatureValid).toBe(true);
          // the CSR certifies the key that came with it
          const fromKey = createPublicKey(createPrivateKey(generated.privateKey)).export({
            type: "spki",
            format: "pem",
          });
          expect(facts.publicKeyPem).toBe(fromKey);
        }),
        { seed: 20261124, numRuns },
      );
    }, 60_000);
  }
});
