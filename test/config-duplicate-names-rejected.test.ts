import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/index.js";

const twice = (second: { name: string; secret: string }): string => `certificates:
  - name: www
    secret: certrelay/www
    targets: [{ provider: yeastar, endpoint: "https://pbx:8088", credentials: certrelay/pbx }]
  - name: ${second.name}
    secret: ${second.secret}
    targets: [{ provider: yeastar, endpoint: "https://pbx:8088", credentials: certrelay/pbx }]
`;

describe("certificates that collide", () => {
  it("rejects a duplicate name, pointing at the second one", async () => {
    await expect(parseConfig(twice({ name: "www", secret: "certrelay/www2" }))).rejects.toThrow(
      "certificates[1].name: duplicate name 'www'; already used by certificates[0] (line 5)",
    );
  });

  it("rejects two certificates sharing one secret (their renewals would overwrite each other)", async () => {
    await expect(parseConfig(twice({ name: "api", secret: "certrelay/www" }))).rejects.toThrow(
      "certificates[1].secret: duplicate secret 'certrelay/www'; already used by certificates[0]",
    );
  });
});

describe("a duplicated secret that is really pasted secret material", () => {
  it("is reported as pasted for each certificate, and its value is never quoted", async () => {
    const pasted = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const error = await parseConfig(twice({ name: "api", secret: pasted }).replaceAll("certrelay/www", pasted)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain("certificates[0].secret: looks like pasted secret material");
    expect(error?.message).toContain("certificates[1].secret: looks like pasted secret material");
    expect(error?.message).not.toContain(pasted);
    expect(error?.message).not.toContain("duplicate secret");
  });
});
