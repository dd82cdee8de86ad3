import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serialFromDecimal } from "../src/x509/index.js";
import { rawCall, startEnosFixture, type EnosFixture } from "./support/enos.js";

// The spec's request sample, byte for byte (enos-apply-certificate.txt, "Request Sample").
const SPEC_CSR =
  "-----BEGIN NEW CERTIFICATE REQUEST-----\nMIICpzCCAY8CAQAwYjELMAkGA1UEBhMCQ04xETAPBgNVBAgTCFNoYW5naGFpMREw\nDwYDVQQHEwhTaGFuZ2hhaTENMAsGA1UEChMERW5PUzENMAsGA1UECxMERW5PUzEP\nMA0GA1UEAxMGMjVTWkFsMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\njWydoAdwoJcpvpNLr1zrsUHUXPCOLwl7jDZsBCWo8aEVv8tn4qI1VG4pqn5nqYzG\n40aoAFz1MBGxPIpjGHWbQfAaRgUlEf352ql6cpP/T1Qm6f8CjECY8vFbl4ABwOye\ncCjZJ7KIXHPF81OWOi2+JDsjDVOp747zuDpNwxkI3lIre3cj9zTa6/L+mAO34W/5\nGyHPTZ3wl7x2eFQMNXnccRoCzeXGOmk0+Cikdr5ERkZogLzW1h6JO2Gm6hAFhxjf\nuKVolAgdkjjiNoN4TTaHH4o+JNBzsV8UR4amtaFo0a+NXjZgwr2V9IMjtjkV6YIe\nHhFRLg5EpJmd4KEOUazwbwIDAQABoAAwDQYJKoZIhvcNAQELBQADggEBAIm5PAnG\ny0AIxDCB0cttTnxmOP8uquva4wnl3ZbX3cNWudzZXXHjCwYRXBhDWHJ1qM8yV1mN\nTJ1irW6Ebwq3kSqW4moJk161gKvspJuHlZhr+8eH0t/z1yLHD4sdf1XAqZ8CtIaG\nZpaOnYmp4bBu/SpfPi+S4VBU48KIc86yBtfQ1GpZiwBTpjiDTG1tyIJe2Vtd26WE\nc2LwBn9zRaFwQQ6AKCdzjGejXcWgXxRgHmxaN1zx3l4xKWR4ZAoON9Hx26RWG7zt\nQlQreoVD/FiERI81OijqrrX0LLAx4CpHVEGhrNykRAdWph47Z5vkNnfaIu2T9HWI\nsYYM5JVl66v3x7I=\n-----END NEW CERTIFICATE REQUEST-----\n";

describe("EnOS apply: the spec's request sample", () => {
  let f: EnosFixture;
  beforeAll(async () => {
    f = await startEnosFixture();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });

  it("answers the documented response shape with a certificate signed by the CA", async () => {
    const { status, json } = await rawCall(
      f.sandbox,
      "POST",
      "/connect-service/v2.0/certificates?assetId=yourDeviceAssetId&action=apply&orgId=yourOrgId",
      {
        csr: SPEC_CSR,
        validDay: 250,
        issueAuthority: "RSA",
      },
    );
    expect(status).toBe(200);
    expect(json).toMatchObject({ code: 0, msg: "OK", requestId: expect.any(String) });
    const data = json.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(["caCert", "cert", "certChainURL", "certSN", "issueAuthority"]);
    expect(data.certSN).toBe("32720");
    expect(data.issueAuthority).toBe("RSA");
    expect(data.certChainURL).toMatch(/\/enos\/CA\/cacert\/RSA$/);
    const cert = new X509Certificate(data.cert ?? "");
    expect(cert.subject).toContain("CN=25SZAl");
    expect(cert.serialNumber.replace(/^0+/, "")).toBe(serialFromDecimal("32720"));
    const intermediate = new X509Certificate(f.ca.intermediatePem);
    expect(cert.checkIssued(intermediate)).toBe(true);
    expect(cert.verify(intermediate.publicKey)).toBe(true);
    expect(data.caCert).toContain(f.ca.rootPem.trim());
    expect(new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()).toBe(250 * 86_400_000);
    expect(f.sandbox.actionCount("apply")).toBe(1);
  });
});
