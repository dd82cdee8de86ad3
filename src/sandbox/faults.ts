/**
 * Runtime fault injection for the vendor sandboxes. Tests, the chaos run and users' dry runs arm faults on a
 * running server; the server consults the injector before routing each request.
 */

export type Fault =
  /** answer with this HTTP status (5xx, or 429 with Retry-After) instead of routing the request */
  | { kind: "status"; status: number; retryAfterSeconds?: number; body?: unknown }
  /** destroy the socket without answering, as a dropped connection or a crashed proxy would */
  | { kind: "drop" }
  /** act on the request, then destroy the socket instead of answering: a write whose answer was lost */
  | { kind: "drop-answer" }
  /** delay the answer; the request is then routed normally */
  | { kind: "latency"; ms: number };

export type FaultKind = Fault["kind"] | "token-expiry" | "async-stall";

export interface FaultRule {
  fault: Fault;
  /** only requests whose method/path match; path is a prefix string or a RegExp tested against the pathname */
  method?: string;
  path?: string | RegExp;
  /** how many matching requests it hits; default 1, use Infinity for "until cleared" */
  times?: number;
  /** chance (0..1) that a matching request is hit; default 1 */
  probability?: number;
}

interface ArmedRule extends FaultRule {
  remaining: number;
}

export class FaultInjector {
  private rules: ArmedRule[] = [];
  private readonly injected = new Map<FaultKind, number>();

  constructor(private readonly random: () => number = Math.random) {}

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault to apply to this request, if any (first matching armed rule wins). */
  take(method: string, pathname: string): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path !== undefined) {
        const hit = typeof rule.path === "string" ? pathname.startsWith(rule.path) : rule.path.test(pathname);
        if (!hit) continue;
      }
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      rule.remaining -= 1;
      this.record(rule.fault.kind);
      return rule.fault;
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return undefined;
  }

  /** Vendor servers record their own fault kinds (token expiry, stalled async work) here too. */
  record(kind: FaultKind): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.injected);
  }
}
