import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config/index.js";
import { directoryUrlOf } from "../src/providers/acme/config.js";

const config = (issuer: string) => `certificates:
  - name: shop
    secret: certrelay/shop
    commonName: shop.example.com
    issuer: { provider: acme, credentials: certrelay/acme, ${issuer} }
`;

async function problems(text: string): Promise<{ path: string; message: string }[]> {
  try {
    await parseConfig(text, "certrelay.yml");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => ({ path: p.path, message: p.message }));
    throw error;
  }
  return [];
}

describe("certrelay.yml: the acme issuer", () => {
  it("takes a preset or a directory URL, with lego's key types and DNS provider names, and defaults to RSA-2048", async () => {
    const parsed = await parseConfig(
      config("directory: letsencrypt-staging, acceptTos: true, dns: { provider: route53 }"),
    );
    expect(parsed.certificates[0]?.issuer).toMatchObject({
      provider: "acme",
      keyType: "rsa2048",
      acceptTos: true,
      dns: { provider: "route53" },
    });
    expect(directoryUrlOf("letsencrypt-staging")).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
    expect(directoryUrlOf("https://acme.example/dir")).toBe("https://acme.example/dir");
  });

  it.each([
    [
      "directory: http://acme.example/dir, dns: { provider: route53 }",
      "certificates[0].issuer.directory",
      "https:// directory URL",
    ],
    [
      "directory: letsencrypt, keyType: rsa4096, dns: { provider: route53 }",
      "certificates[0].issuer.keyType",
      "rsa2048|rsa3072|ec256|ec384",
    ],
    [
      "directory: letsencrypt, dns: { provider: cloudflare }",
      "certificates[0].issuer.dns.provider",
      "route53 or httpreq (lego's flag names)",
    ],
    [
      "directory: letsencrypt, dns: { provider: route53, propagationTimeout: 0 }",
      "certificates[0].issuer.dns.propagationTimeout",
      "at least 1",
    ],
    ["directory: letsencrypt, eabHmacKey: abc, dns: { provider: route53 }", "certificates[0].issuer", "eabHmacKey"],
  ])("%s -> %s", async (issuer, path, says) => {
    const found = await problems(config(issuer));
    expect(found.find((p) => p.path === path)?.message ?? JSON.stringify(found)).toContain(says);
  });
});
