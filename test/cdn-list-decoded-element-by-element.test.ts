import { describe, expect, it } from "vitest";
import { eachArrayElement } from "../src/providers/cdn/json-array.js";

describe("the CDN's one-array certificate list, decoded element by element", () => {
  it("gives every record JSON.parse would, across slice boundaries and multi-byte characters", async () => {
    // non-ASCII organisation names land on every 64 KiB boundary sooner or later
    const records = Array.from({ length: 3_000 }, (_, i) => ({
      id: 2356 + i,
      commonName: `host-${i}.example.com`,
      organization: i % 3 === 0 ? "Société Générale – 東京" : "Example",
      serialNumber: String(10n ** 20n + BigInt(i)),
      expireIn: i % 400,
    }));
    const bytes = new TextEncoder().encode(`  \n${JSON.stringify(records, null, 1)}`);
    expect(bytes.length).toBeGreaterThan(3 * 64 * 1024);
    const seen: unknown[] = [];
    expect(await eachArrayElement(bytes, (item) => seen.push(item))).toBe(true);
    expect(seen).toEqual(records);
  });

  it("reports an answer that is not an array without decoding it", async () => {
    const seen: unknown[] = [];
    expect(
      await eachArrayElement(new TextEncoder().encode('{"code":"Customer.DELETED"}'), (item) => seen.push(item)),
    ).toBe(false);
    expect(seen).toEqual([]);
  });
});

describe("a list answer cut short", () => {
  it("is an error, not a shorter list", async () => {
    const text = JSON.stringify([{ id: 1 }, { id: 2 }, { id: 3 }]);
    await expect(eachArrayElement(new TextEncoder().encode(text.slice(0, -8)), () => undefined)).rejects.toThrow();
  });
});
