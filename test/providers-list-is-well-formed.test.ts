/**
 * The rules docs/adding-a-vendor.md gives a definition, checked for every vendor in the list: a vendor that breaks
 * one fails here by name, before any run could trip over it.
 */
import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../src/errors.js";
import { silentLogger, systemClock } from "../src/model.js";
import { builtInCatalog, providerCatalog } from "../src/providers/catalog.js";
import { builtInProviders } from "../src/providers/index.js";
import type { AnyProviderDefinition } from "../src/providers/kit/definition.js";
import { createIssuer } from "../src/providers/registry.js";

const ctx = { clock: systemClock, sleep: async () => {}, logger: silentLogger, poll: { intervalMs: 1, maxWaitMs: 10 } };

const list: readonly AnyProviderDefinition[] = builtInProviders;

describe.each(list.map((d) => [d.name, d] as const))("provider %s", (name, definition) => {
  it("names the Action input of every credential field", () => {
    for (const field of Object.keys(definition.credentials.shape)) {
      expect(definition.inputs, `${name}: credential field ${field} has no Action input`).toHaveProperty(field);
    }
  });

  it("has a role, and each role's entries are `provider: <its name>`", () => {
    const roles = [definition.target, definition.issuer].filter((role) => role !== undefined);
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect([...(role.schema._zod.propValues?.provider ?? [])]).toEqual([name]);
    }
  });

  it("marks the credential fields that are secrets", () => {
    const secrets = Object.values(definition.inputs).filter((spec) => spec.secret === true);
    // a vendor that needs credentials has a secret among them (a password, a key): masked, never accepted inline
    if (!definition.credentials.safeParse({}).success)
      expect(secrets.length, `${name}: no input is marked secret`).toBeGreaterThan(0);
  });
});

describe("the built-in catalog", () => {
  it("lists the roles in list order", () => {
    expect(builtInCatalog().targetProviders).toEqual(["yeastar", "cdn", "enos"]);
    expect(builtInCatalog().issuerProviders).toEqual(["reseller", "enos", "acme"]);
  });

  it("refuses a vendor that cannot be a pipeline issuer with the reason its definition gives", () => {
    expect(() =>
      createIssuer({ provider: "yeastar", endpoint: "https://pbx.example", credentials: "certrelay/pbx" }, {}, ctx),
    ).toThrow(
      expect.objectContaining({
        code: ErrorCodes.CONFIG_INVALID,
        field: "issuer.provider",
        vendor: "yeastar",
        message: expect.stringContaining(
          "yeastar cannot be a pipeline issuer: a PBX-applied certificate never leaves the PBX",
        ),
      }),
    );
  });

  it("refuses two providers of one name", () => {
    expect(() => providerCatalog([...list, ...list.slice(0, 1)])).toThrow(/two providers are named yeastar/);
  });
});
