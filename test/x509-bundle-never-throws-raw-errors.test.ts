/**
 * Whatever a user pastes, parseBundle / parsePrivateKey / inspectCsr answer with a CertrelayError (a code and a
 * message naming the field), never a raw OpenSSL or asn1 error, and they return promptly.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CertrelayError } from "../src/errors.js";
import { certFacts, inspectCsr, parseBundle, parsePrivateKey } from "../src/x509/index.js";
import { makeX509Fixture, NOW, type X509Fixture } from "./fixtures/x509.js";

function outcome(run: () => unknown): "ok" | "certrelay" | unknown {
  try {
    run();
    return "ok";
  } catch (error) {
    return error instanceof CertrelayError ? "certrelay" : error;
  }
}

describe("bundle parsing never leaks raw errors", () => {
  let f: X509Fixture;
  let pems: string[];
  beforeAll(async () => {
    f = await makeX509Fixture();
    pems = [f.rsa.certificate, f.rsa.privateKey, f.ecc.privateKey, f.ca.chainPem];
  });

  const settings = { seed: 20261124, numRuns: 300 };

  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 200 }), (certificate, privateKey) => {
        expect(outcome(() => parseBundle({ certificate, privateKey, chain: certificate }, { now: NOW }))).toBe(
          "certrelay",
        );
        expect(outcome(() => parsePrivateKey(privateKey))).toBe("certrelay");
      }),
      settings,
    );
  });

  it("on valid PEM with one character changed, or cut anywhere", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(),
        fc.constantFrom("A", "/", "=", "-", "\n", " ", "\u00e9"),
        fc.boolean(),
        (which, at, ch, cut) => {
          const pem = pems[which % pems.length]!;
          const i = at % pem.length;
          const mutated = cut ? pem.slice(0, i) : pem.slice(0, i) + ch + pem.slice(i + 1);
          const r1 = outcome(() => parseBundle({ ...f.rsa, certificate: mutated }, { now: NOW }));
          const r2 = outcome(() => parseBundle({ ...f.rsa, privateKey: mutated }, { now: NOW }));
          const r3 = outcome(() => parseBundle({ ...f.rsa, chain: mutated }, { now: NOW }));
          const r4 = outcome(() => certFacts(mutated));
          for (const r of [r1, r2, r3, r4]) expect(["ok", "certrelay"]).toContain(r);
        },
      ),
      settings,
    );
  });

  it("inspectCsr on arbitrary text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        await expect(inspectCsr(text)).rejects.toBeInstanceOf(CertrelayError);
      }),
      { seed: 20261124, numRuns: 100 },
    );
  });
});
