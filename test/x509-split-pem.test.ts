import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { TestCA } from "../src/sandbox/ca.js";
import { splitPem } from "../src/x509/index.js";
import { NOW } from "./fixtures/x509.js";

describe("splitPem", () => {
  let ca: TestCA;
  beforeAll(async () => {
    ca = await TestCA.create({ name: "Split", now: NOW });
  });

  it("splits a bundle into typed blocks with DER and normalized PEM", () => {
    const blocks = splitPem(
      `Bag Attributes\n  friendlyName: x\n${ca.intermediatePem}\n\n${ca.rootPem}trailing words`,
      "chain",
    );
    expect(blocks.map((b) => b.type)).toEqual(["CERTIFICATE", "CERTIFICATE"]);
    expect(blocks[0]!.pem).toBe(ca.intermediatePem);
    expect(blocks[1]!.pem).toBe(ca.rootPem);
    expect(blocks[0]!.der[0]).toBe(0x30);
  });

  it("re-wraps long or short base64 lines and strips indentation", () => {
    const body = ca.rootPem.split("\n").slice(1, -2).join("");
    const oneLine = `   -----BEGIN CERTIFICATE-----\n   ${body}\n   -----END CERTIFICATE-----`;
    expect(splitPem(oneLine, "certificate")[0]!.pem).toBe(ca.rootPem);
  });

  it("keeps the headers of a legacy encrypted key so it can be recognized", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const legacy = String(privateKey.export({ format: "pem", type: "sec1", cipher: "aes-128-cbc", passphrase: "pw" }));
    const [block] = splitPem(legacy, "private-key");
    expect(block!.type).toBe("EC PRIVATE KEY");
    expect(block!.headers?.["Proc-Type"]).toBe("4,ENCRYPTED");
    expect(block!.pem).toContain("DEK-Info: AES-128-CBC,");
  });

  it("says which block lacks its END line when the next BEGIN comes first", () => {
    const merged = ca.intermediatePem.replace("-----END CERTIFICATE-----\n", "") + ca.rootPem;
    expect(() => splitPem(merged, "chain")).toThrow(
      expect.objectContaining({ code: "PEM_MALFORMED", field: "chain", message: expect.stringContaining("line 1") }),
    );
  });

  it("reports an END line with no BEGIN", () => {
    expect(() => splitPem(ca.rootPem.replace("-----BEGIN CERTIFICATE-----\n", ""), "ca")).toThrow(
      expect.objectContaining({ code: "PEM_MALFORMED", field: "ca" }),
    );
  });
});
