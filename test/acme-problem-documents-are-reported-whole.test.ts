import { describe, expect, it } from "vitest";
import { AcmeHttpError, describeProblem, mapAcmeError, retryAfterMs } from "../src/providers/acme/errors.js";

const NOW = new Date("2026-11-30T10:00:00Z");
const DIRECTORY = "https://acme.example/directory";

describe("ACME problem documents (RFC 8555 §6.7) in certrelay errors", () => {
  it("names the type, the detail and every identifier's subproblem", () => {
    const text = describeProblem({
      type: "urn:ietf:params:acme:error:rejectedIdentifier",
      detail: "Some of the identifiers requested were rejected",
      subproblems: [
        {
          type: "urn:ietf:params:acme:error:malformed",
          detail: "Invalid underscore in DNS name",
          identifier: { type: "dns", value: "_example.org" },
        },
        {
          type: "urn:ietf:params:acme:error:rejectedIdentifier",
          detail: 'This CA will not issue for "example.net"',
          identifier: { type: "dns", value: "example.net" },
        },
      ],
    });
    expect(text).toBe(
      'rejectedIdentifier (Some of the identifiers requested were rejected); subproblems: _example.org: malformed (Invalid underscore in DNS name); example.net: rejectedIdentifier (This CA will not issue for "example.net")',
    );
  });

  it("a 429 carries its Retry-After as the moment to try again, in seconds or as an HTTP date", () => {
    expect(retryAfterMs("120", NOW)).toBe(120_000);
    expect(retryAfterMs("Mon, 30 Nov 2026 11:00:00 GMT", NOW)).toBe(3_600_000);
    const error = mapAcmeError(
      new AcmeHttpError(
        429,
        `${DIRECTORY}/new-order`,
        { type: "urn:ietf:params:acme:error:rateLimited", detail: "too many certificates" },
        120_000,
      ),
      "create the order",
      DIRECTORY,
      NOW,
    );
    expect(error).toMatchObject({ code: "RATE_LIMITED", backoffUntil: new Date("2026-11-30T10:02:00Z") });
  });

  it("a CA that wants EAB says which keys to store; a refused terms-of-service says which field to set", () => {
    expect(
      mapAcmeError(
        new AcmeHttpError(403, DIRECTORY, { type: "urn:ietf:params:acme:error:externalAccountRequired" }, undefined),
        "register the ACME account",
        DIRECTORY,
        NOW,
      ),
    ).toMatchObject({ code: "AUTH_FAILED", field: "eabKid" });
    expect(
      mapAcmeError(
        new AcmeHttpError(403, DIRECTORY, { type: "urn:ietf:params:acme:error:userActionRequired" }, undefined),
        "register the ACME account",
        DIRECTORY,
        NOW,
      ),
    ).toMatchObject({ code: "CONFIG_INVALID", field: "issuer.acceptTos" });
  });

  it("anything that is not an answer from the CA is a network error naming the directory", () => {
    expect(mapAcmeError(new TypeError("socket hang up"), "create the order", DIRECTORY, NOW)).toMatchObject({
      code: "NETWORK_ERROR",
      message: expect.stringContaining(DIRECTORY),
    });
  });
});
