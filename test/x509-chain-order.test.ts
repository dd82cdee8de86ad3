import { beforeAll, describe, expect, it } from "vitest";
import { certFacts, orderChain, parseBundle } from "../src/x509/index.js";
import { makeX509Fixture, NOW, pemBlocks, type X509Fixture } from "./fixtures/x509.js";

describe("chain ordering", () => {
  let f: X509Fixture;
  let intermediate: string;
  let root: string;
  beforeAll(async () => {
    f = await makeX509Fixture();
    intermediate = f.ca.intermediatePem;
    root = f.ca.rootPem;
  });

  const names = (chain: { commonName: string }[]): string[] => chain.map((c) => c.commonName);

  it("links leaf -> intermediate -> root by signature", () => {
    const r = orderChain(certFacts(f.rsa.certificate), [certFacts(intermediate), certFacts(root)]);
    expect(names(r.ordered)).toEqual(["Fixture Intermediate CA", "Fixture Root CA"]);
    expect(r.foreign).toEqual([]);
    expect(r.complete).toBe(true);
  });

  it("puts a reversed chain in order", () => {
    const r = orderChain(certFacts(f.rsa.certificate), [certFacts(root), certFacts(intermediate)]);
    expect(names(r.ordered)).toEqual(["Fixture Intermediate CA", "Fixture Root CA"]);
  });

  it("treats a chain that ends at the intermediate (root omitted) as complete", () => {
    const r = orderChain(certFacts(f.rsa.certificate), [certFacts(intermediate)]);
    expect(names(r.ordered)).toEqual(["Fixture Intermediate CA"]);
    expect(r.complete).toBe(true);
    const bundle = parseBundle({ ...f.rsa, chain: intermediate }, { now: NOW });
    expect(bundle.material.chain).toBe(intermediate);
  });

  it("accepts no chain at all", () => {
    const bundle = parseBundle({ certificate: f.rsa.certificate, privateKey: f.rsa.privateKey }, { now: NOW });
    expect(bundle.chain).toEqual([]);
    expect(bundle.material.chain).toBe("");
  });

  it("reports a missing intermediate as a gap", () => {
    const r = orderChain(certFacts(f.rsa.certificate), [certFacts(root)]);
    expect(r.ordered).toEqual([]);
    expect(r.complete).toBe(false);
  });

  it("reports another CA's certificate as foreign, even with a matching path", () => {
    const r = orderChain(certFacts(f.rsa.certificate), [
      certFacts(intermediate),
      certFacts(root),
      certFacts(f.foreignCa.rootPem),
    ]);
    expect(names(r.ordered)).toEqual(["Fixture Intermediate CA", "Fixture Root CA"]);
    expect(names(r.foreign)).toEqual(["Foreign Root CA"]);
    expect(r.complete).toBe(true);
  });

  it("rejects a reversed chain with the right order in the message, unless reordering is allowed", () => {
    const reversed = { ...f.rsa, chain: root + intermediate };
    expect(() => parseBundle(reversed, { now: NOW })).toThrow(
      expect.objectContaining({
        code: "CHAIN_ORDER",
        field: "chain",
        message: expect.stringContaining('"Fixture Intermediate CA", then "Fixture Root CA"'),
      }),
    );
    const bundle = parseBundle(reversed, { now: NOW, allowReorder: true });
    expect(bundle.material.chain).toBe(f.ca.chainPem);
  });

  it("accepts fullchain.pem (leaf first, then CA certificates) in the certificate field", () => {
    const bundle = parseBundle(
      { certificate: f.rsa.certificate + f.ca.chainPem, privateKey: f.rsa.privateKey },
      { now: NOW },
    );
    expect(bundle.leaf.commonName).toBe("www.example.com");
    expect(bundle.material.certificate).toBe(f.rsa.certificate);
    expect(bundle.material.chain).toBe(f.ca.chainPem);
  });

  it("drops a copy of the leaf and duplicates pasted into the chain", () => {
    const bundle = parseBundle(
      { ...f.rsa, chain: f.rsa.certificate + intermediate + intermediate + root },
      { now: NOW },
    );
    expect(names(bundle.chain)).toEqual(["Fixture Intermediate CA", "Fixture Root CA"]);
  });

  it("normalizes CRLF line ends and text around the blocks", () => {
    const messy = pemBlocks(f.ca.chainPem)
      .map((b, i) => `subject=block ${i}\r\n${b.replaceAll("\n", "\r\n")}`)
      .join("\r\n");
    const bundle = parseBundle({ ...f.rsa, chain: messy }, { now: NOW });
    expect(bundle.material.chain).toBe(f.ca.chainPem);
  });

  it("links an ECDSA leaf the same way", () => {
    const bundle = parseBundle(f.ecc, { now: NOW });
    expect(names(bundle.chain)).toEqual(["Fixture Intermediate CA", "Fixture Root CA"]);
  });
});
