/**
 * One paging walk for every vendor list: pages read one ahead, each item yielded once, and a guard against a server
 * that ignores the paging parameters.
 */

export interface PageAnswer<T> {
  items: T[];
  /** how many items the vendor says it holds, when it says */
  total?: number | undefined;
}

export interface PagingOptions<T> {
  /** page `page` (1-based); a vendor without paging is asked once (`page` 1) and answers everything */
  fetch(page: number): Promise<PageAnswer<T>>;
  /** the page size asked for: a shorter page is the last; absent, the vendor does not page and one answer is all */
  pageSize?: number;
  /** what tells two items apart (the vendor's id) */
  key(item: T): string | number;
}

/**
 * The pages of a list, with only the items not seen before. A server that ignored `page` would answer the same
 * rows again: each item is yielded once, and a page with nothing new ends the walk instead of looping. While a page
 * is consumed the next is already asked for, so a fleet scan waits on the network half as often, and memory holds
 * at most two pages.
 */
export async function* pages<T>(options: PagingOptions<T>): AsyncGenerator<T[]> {
  const seen = new Set<string | number>();
  const ask = (page: number): Promise<PageAnswer<T>> => {
    const pending = options.fetch(page);
    pending.catch(() => undefined); // awaited below; a consumer that stops early must not leave it unhandled
    return pending;
  };
  let next = ask(1);
  for (let page = 1; ; page += 1) {
    const answer = await next;
    const fresh: T[] = [];
    for (const item of answer.items) {
      const key = options.key(item);
      if (seen.has(key)) continue;
      seen.add(key);
      fresh.push(item);
    }
    const more =
      options.pageSize !== undefined &&
      fresh.length > 0 &&
      answer.items.length >= options.pageSize &&
      (answer.total === undefined || seen.size < answer.total);
    if (more) next = ask(page + 1);
    if (fresh.length > 0) yield fresh;
    if (!more) return;
  }
}

/** Every item of every page, each once. */
export async function allPages<T>(options: PagingOptions<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages(options)) out.push(...page);
  return out;
}

/** The items of a paged list one by one. */
export async function* eachItem<T>(options: PagingOptions<T>): AsyncGenerator<T> {
  for await (const page of pages(options)) yield* page;
}
