/**
 * The vendor kit's paging walk (src/providers/kit/paging.ts), which every vendor list uses: the next page is asked
 * for while one is consumed, each item comes once, and a server that ignores paging cannot make the walk loop.
 */
import { describe, expect, it } from "vitest";
import { allPages, pages, type PageAnswer } from "../src/providers/kit/paging.js";

interface Row {
  id: number;
}

/** A vendor list of `count` rows served in pages, recording which pages were asked for. */
function vendor(count: number, options: { ignorePaging?: boolean; total?: boolean; failPage?: number } = {}) {
  const asked: number[] = [];
  const rows = Array.from({ length: count }, (_, i) => ({ id: i + 1 }));
  const fetch =
    (pageSize: number) =>
    async (page: number): Promise<PageAnswer<Row>> => {
      asked.push(page);
      if (page === options.failPage) throw new Error(`page ${page} failed`);
      const from = options.ignorePaging ? 0 : (page - 1) * pageSize;
      return { items: rows.slice(from, from + pageSize), ...(options.total ? { total: count } : {}) };
    };
  return { asked, fetch };
}

describe("kit paging", () => {
  it("walks every page once, asking for the next before the current one is consumed", async () => {
    const v = vendor(7);
    const seenWhenFirstPageArrived: number[][] = [];
    const ids: number[] = [];
    for await (const page of pages({ fetch: v.fetch(3), pageSize: 3, key: (r) => r.id })) {
      seenWhenFirstPageArrived.push([...v.asked]);
      ids.push(...page.map((r) => r.id));
    }
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(v.asked).toEqual([1, 2, 3]);
    // page 2 was already requested while page 1 was handed out
    expect(seenWhenFirstPageArrived[0]).toEqual([1, 2]);
  });

  it("ends after the first page that brings nothing new when the server ignores paging", async () => {
    const v = vendor(5, { ignorePaging: true });
    const rows = await allPages({ fetch: v.fetch(5), pageSize: 5, key: (r) => r.id });
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(v.asked).toEqual([1, 2]);
  });

  it("stops at the vendor's total without asking for an empty page", async () => {
    const v = vendor(6, { total: true });
    expect(await allPages({ fetch: v.fetch(3), pageSize: 3, key: (r) => r.id })).toHaveLength(6);
    expect(v.asked).toEqual([1, 2]);
  });

  it("a consumer that stops early is not failed by the page read ahead", async () => {
    const v = vendor(9, { failPage: 2 });
    for await (const page of pages({ fetch: v.fetch(3), pageSize: 3, key: (r) => r.id })) {
      expect(page).toHaveLength(3);
      break;
    }
    expect(v.asked).toEqual([1, 2]);
  });

  it("a failed page fails the walk that reaches it", async () => {
    const v = vendor(9, { failPage: 2 });
    await expect(allPages({ fetch: v.fetch(3), pageSize: 3, key: (r) => r.id })).rejects.toThrow("page 2 failed");
  });

  it("a list without paging is asked once and repeated records come once", async () => {
    let asked = 0;
    const rows = await allPages({
      fetch: async () => {
        asked += 1;
        return { items: [{ id: 1 }, { id: 2 }, { id: 1 }, { id: 3 }, { id: 2 }] };
      },
      key: (r: Row) => r.id,
    });
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(asked).toBe(1);
  });
});
