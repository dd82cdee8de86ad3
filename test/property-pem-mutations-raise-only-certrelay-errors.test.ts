/**
 * Structural damage a real bundle suffers (bits flipped inside the DER, DER cut short, blocks swapped, dropped,
 * repeated or moved between fields, arbitrary bytes pasted in): parseBundle, splitPem and inspectCsr answer with a
 * result or a CertrelayError, never a raw asn1/OpenSSL error. test/x509-bundle-never-throws-raw-errors.test.ts
 * covers arbitrary text and single-character edits of the PEM text; this file edits the DER under valid armour.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CertrelayError } from "../src/errors.js";
import { generateKeyAndCsr, inspectCsr, parseBundle, splitPem, toPem } from "../src/x509/index.js";
import { makeX509Fixture, NOW, pemBlocks, type X509Fixture } from "./fixtures/x509.js";

const settings = { seed: 20261124, numRuns: 200 };

function outcome(run: () => unknown): string {
  try {
    run();
    return "ok";
  } catch (error) {
    return error instanceof CertrelayError
      ? "certrelay"
      : `raw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

async function asyncOutcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return "ok";
  } catch (error) {
    return error instanceof CertrelayError
      ? "certrelay"
      : `raw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

/** A DER edit: flip bits at some bytes, or cut the DER at some length. */
const derEdit = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant("cut" as const),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 1 }),
    mask: fc.constant(0),
  }),
);

type DerEdit = { kind: "flip" | "cut"; at: number[]; mask: number };

function editBlock(pem: string, edit: DerEdit): string {
  const [block] = splitPem(pem, "fixture");
  if (!block) return pem;
  const der = new Uint8Array(block.der);
  if (edit.kind === "cut") return toPem(block.type, der.slice(0, (edit.at[0] ?? 0) % der.length));
  for (const at of edit.at) der[at % der.length] = (der[at % der.length] ?? 0) ^ edit.mask;
  return toPem(block.type, der);
}

describe("PEM/bundle parsing under structural damage", () => {
  let f: X509Fixture;
  let csr: string;
  beforeAll(async () => {
    f = await makeX509Fixture();
    csr = (await generateKeyAndCsr({ keyType: "ecc", commonName: "www.example.com", sans: ["www.example.com"] })).csr;
  });

  it("DER bits flipped or cut under valid armour, in any field", () => {
    fc.assert(
      fc.property(fc.constantFrom("certificate", "privateKey", "chain0", "chain1"), derEdit, (field, edit) => {
        const blocks = pemBlocks(f.rsa.chain);
        const bundle = { ...f.rsa };
        if (field === "certificate") bundle.certificate = editBlock(f.rsa.certificate, edit);
        if (field === "privateKey") bundle.privateKey = editBlock(f.rsa.privateKey, edit);
        if (field === "chain0") bundle.chain = editBlock(blocks[0] ?? "", edit) + (blocks[1] ?? "");
        if (field === "chain1") bundle.chain = (blocks[0] ?? "") + editBlock(blocks[1] ?? "", edit);
        expect(outcome(() => parseBundle(bundle, { now: NOW }))).toMatch(/^(ok|certrelay)$/);
        expect(outcome(() => parseBundle(bundle, { now: NOW, allowReorder: true }))).toMatch(/^(ok|certrelay)$/);
      }),
      settings,
    );
  });

  it("blocks shuffled, dropped, repeated or moved between fields", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 4 }), { maxLength: 6 }),
        fc.array(fc.nat({ max: 4 }), { maxLength: 6 }),
        fc.array(fc.nat({ max: 4 }), { maxLength: 3 }),
        (cert, chain, key) => {
          // every block of a real bundle plus a foreign leaf: any arrangement of them in the three fields
          const pool = [f.rsa.certificate, ...pemBlocks(f.rsa.chain), f.rsa.privateKey, f.foreign.certificate];
          const join = (ix: number[]) => ix.map((i) => pool[i] ?? "").join("");
          const bundle = { certificate: join(cert), chain: join(chain), privateKey: join(key) };
          expect(outcome(() => parseBundle(bundle, { now: NOW }))).toMatch(/^(ok|certrelay)$/);
          expect(outcome(() => parseBundle(bundle, { now: NOW, allowReorder: true, requireKey: false }))).toMatch(
            /^(ok|certrelay)$/,
          );
        },
      ),
      settings,
    );
  });

  it("splitPem on arbitrary bytes, and on armour around arbitrary bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom("CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "CERTIFICATE REQUEST", "X"),
        (bytes, type) => {
          const raw = Buffer.from(bytes).toString("latin1");
          expect(outcome(() => splitPem(raw, "certificate"))).toMatch(/^(ok|certrelay)$/);
          const armoured = `-----BEGIN ${type}-----\n${Buffer.from(bytes).toString("base64")}\n-----END ${type}-----\n`;
          expect(outcome(() => splitPem(armoured, "certificate"))).toMatch(/^(ok|certrelay)$/);
          expect(outcome(() => parseBundle({ certificate: armoured, privateKey: armoured }, { now: NOW }))).toMatch(
            /^(ok|certrelay)$/,
          );
        },
      ),
      settings,
    );
  });

  it("inspectCsr on a CSR with DER bits flipped or cut", async () => {
    await fc.assert(
      fc.asyncProperty(derEdit, async (edit) => {
        expect(await asyncOutcome(() => inspectCsr(editBlock(csr, edit)))).toMatch(/^(ok|certrelay)$/);
      }),
      { seed: 20261124, numRuns: 150 },
    );
  });
});
