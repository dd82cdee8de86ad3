/**
 * Resello SSL reseller sandbox (ssl-reseller-certificate.txt): plans, certificate orders bought with a CSR,
 * asynchronous domain control validation, renew/reissue/delete and the download formats. Money is modelled:
 * `purchases` counts creates and renewals actually charged, `refunds` deletes inside the plan's grace period.
 */
import { randomUUID } from "node:crypto";
import { X509Certificate, X509Certificates } from "@peculiar/x509";
import { zipSync, strToU8 } from "fflate";
import type { Clock } from "../../model.js";
import { inspectCsr } from "../../x509/index.js";
import type { TestCA } from "../ca.js";
import { DAY_MS, SandboxServer, type RouteContext, type RouteResult } from "../server.js";

export interface ResellerPlan {
  id: string;
  name: string;
  /** inferred: DV | OV | EV decides which organisation fields create requires */
  validation: "DV" | "OV" | "EV";
  /** renew interval in months (VENDOR-NOTES) */
  interval: number;
  /** inferred: certificate validity in days */
  validity_days: number;
  /** inferred: days after a charge during which DELETE refunds */
  grace_period_days: number;
}

export type DcvMode = "auto" | "stuck" | "fail";
export type ResellerStatus = "pending" | "active" | "cancelled" | "expired";

/** inferred: the certificate object's fields are not public in the spec. */
export interface ResellerOrderView {
  id: string;
  status: ResellerStatus;
  plan: string;
  client_reference: string | null;
  common_name: string;
  domains: string[];
  valid_from: string | null;
  valid_until: string | null;
  dcv_type: string;
  validation: { status: "pending" | "passed" | "failed"; method: string; message: string };
  created_at: string;
}

interface Order {
  id: string;
  status: ResellerStatus;
  plan: string;
  references: Set<string>;
  clientReference: string | null;
  commonName: string;
  domains: string[];
  validFrom: Date | null;
  validUntil: Date | null;
  dcvType: string;
  approverEmail: string | undefined;
  createdAt: Date;
  csr: string;
  /** CSR of a renewal waiting for DCV */
  pendingCsr: string | undefined;
  certificate: string | undefined;
  chain: string | undefined;
  polls: number;
  validationStatus: "pending" | "passed" | "failed";
  lastChargeAt: Date;
  dcvMode: DcvMode | undefined;
}

export interface ResellerSandboxOptions {
  ca: TestCA;
  clock?: Clock;
  random?: () => number;
  /** how DCV behaves: `auto` passes after `pollsUntilActive` GETs, `stuck` never passes, `fail` fails */
  dcvMode?: DcvMode;
  /** GET /ssl-certificate/{id} calls answered `pending` before the order turns active (default 1) */
  pollsUntilActive?: number;
  plans?: ResellerPlan[];
  credentials?: ResellerSandboxCredentials;
  /** answer GET /ssl-certificate with every record whatever `page`/`per_page` say, as the spec documents no paging */
  ignorePaging?: boolean;
}

/** A type alias (not an interface) so it is assignable to the `Record<string, string>` providers take. */
export type ResellerSandboxCredentials = {
  username: string;
  apiKey: string;
};

const DCV_TYPES = ["EMAIL", "FILE", "DNS"];
/** The plan of the spec's sample request, plus inferred OV/EV plans. */
export const DEFAULT_PLANS: ResellerPlan[] = [
  {
    id: "3f7830c3-3fa4-404d-908f-35daaa1cd17b",
    name: "Domain SSL",
    validation: "DV",
    interval: 12,
    validity_days: 365,
    grace_period_days: 30,
  },
  {
    id: "9b1d7a52-6a47-4c1e-8f0e-2f7d6b1c9a01",
    name: "Organization SSL",
    validation: "OV",
    interval: 12,
    validity_days: 365,
    grace_period_days: 30,
  },
  {
    id: "c2e4f6a8-1b3d-4f5a-9c7e-0d2b4f6a8c10",
    name: "Extended Validation SSL",
    validation: "EV",
    interval: 12,
    validity_days: 365,
    grace_period_days: 30,
  },
];
const ORG_FIELDS = ["chamber_of_commerce", "department", "approver_first_name", "approver_last_name"] as const;

interface RejectionBody {
  error: { code: string; message: string; field?: string };
}

/** inferred: the spec lists "Possible errors" without a shape; we answer `{error: {code, message, field?}}`. */
function problem(status: number, code: string, message: string, field?: string): RouteResult {
  const body: RejectionBody = { error: { code, message, ...(field ? { field } : {}) } };
  return { status, json: body };
}

class Rejection extends Error {
  constructor(readonly result: RouteResult) {
    super("rejected");
  }
}

export class ResellerSandbox extends SandboxServer {
  readonly credentials: ResellerSandboxCredentials;
  dcvMode: DcvMode;
  pollsUntilActive: number;
  purchases = 0;
  refunds = 0;
  /** knob: `page`/`per_page` are ignored (the spec documents no paging; a real server may well ignore them) */
  ignorePaging: boolean;
  private readonly ca: TestCA;
  /** The plans GET /ssl-certificate-plan answers; the first DV plan is `defaultPlanId`. */
  readonly plans: readonly ResellerPlan[];
  private readonly orders = new Map<string, Order>();
  /** client_reference -> ids of every order created or renewed with it (a filter, not a uniqueness rule) */
  private readonly byReference = new Map<string, string[]>();
  private readonly dropRules: { method: string; path: RegExp; remaining: number }[] = [];
  private seq = 0;

  constructor(options: ResellerSandboxOptions) {
    super("reseller", {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    this.ca = options.ca;
    this.dcvMode = options.dcvMode ?? "auto";
    this.pollsUntilActive = options.pollsUntilActive ?? 1;
    this.ignorePaging = options.ignorePaging ?? false;
    this.plans = options.plans ?? DEFAULT_PLANS;
    this.credentials = options.credentials ?? { username: "resello-demo", apiKey: "demo-resello-api-key" };
    this.registerRoutes();
  }

  /**
   * Vendor knob "process then drop": the next `times` matching requests are fully processed (a purchase is
   * charged) and then the connection is destroyed before the answer, as a proxy dying mid-response would.
   * The base server's `drop` fault drops BEFORE processing, which cannot test client_reference recovery.
   */
  dropAfterProcessing(rule: { method: string; path: RegExp; times?: number }): void {
    this.dropRules.push({ method: rule.method.toUpperCase(), path: rule.path, remaining: rule.times ?? 1 });
  }

  /** The plan a caller should buy when it does not care: the first DV plan. */
  get defaultPlanId(): string {
    return (this.plans.find((p) => p.validation === "DV") ?? this.plans[0])?.id ?? "";
  }

  /** Shorthand for `dropAfterProcessing`: the next `method` request whose path starts with `pathPrefix`. */
  dropResponseOnce(method: string, pathPrefix: string): void {
    const escaped = pathPrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    this.dropAfterProcessing({ method, path: new RegExp(`^${escaped}`), times: 1 });
  }

  /** Inspector: the wire view of an order. */
  order(id: string): ResellerOrderView | undefined {
    const o = this.orders.get(id);
    return o ? this.view(o) : undefined;
  }
  get orderCount(): number {
    return this.orders.size;
  }

  /** Bulk, signature-free active records for benchmarks (downloads answer 404 for them). */
  seed(count: number): void {
    const now = this.clock().getTime();
    const plan = this.plans[0]!;
    for (let i = 0; i < count; i += 1) {
      this.seq += 1;
      const id = `seed-${this.seq}`;
      const daysLeft = 1 + (i % 400);
      const host = `host-${this.seq}.example.com`;
      this.orders.set(id, {
        id,
        status: "active",
        plan: plan.id,
        references: new Set(),
        clientReference: null,
        commonName: host,
        domains: [host],
        validFrom: new Date(now + daysLeft * DAY_MS - plan.validity_days * DAY_MS),
        validUntil: new Date(now + daysLeft * DAY_MS),
        dcvType: "DNS",
        approverEmail: undefined,
        createdAt: new Date(now),
        csr: "",
        pendingCsr: undefined,
        certificate: undefined,
        chain: undefined,
        polls: 0,
        validationStatus: "passed",
        lastChargeAt: new Date(now - 365 * DAY_MS),
        dcvMode: undefined,
      });
    }
  }

  private registerRoutes(): void {
    const guarded =
      (handler: (ctx: RouteContext) => RouteResult | Promise<RouteResult>) =>
      async (ctx: RouteContext): Promise<RouteResult> => {
        if (!this.authorized(ctx)) return problem(401, "UNAUTHORIZED", "Invalid API username or API key");
        try {
          const result = await handler(ctx);
          this.maybeDrop(ctx);
          return result;
        } catch (error) {
          if (error instanceof Rejection) return error.result;
          throw error;
        }
      };
    this.route(
      "GET",
      "/ssl-certificate-plan",
      guarded((ctx) => ({
        json: this.plans.filter(
          (p) =>
            (!ctx.query.get("id") || p.id === ctx.query.get("id")) &&
            (!ctx.query.get("name") || p.name === ctx.query.get("name")),
        ),
      })),
    );
    this.route(
      "GET",
      "/ssl-certificate",
      guarded((ctx) => this.list(ctx)),
    );
    this.route(
      "POST",
      "/ssl-certificate",
      guarded((ctx) => this.create(ctx)),
    );
    this.route(
      "GET",
      "/ssl-certificate/:id",
      guarded(async (ctx) => ({ json: this.view(await this.progress(this.find(ctx))) })),
    );
    this.route(
      "DELETE",
      "/ssl-certificate/:id",
      guarded((ctx) => this.remove(ctx)),
    );
    this.route(
      "POST",
      "/ssl-certificate/:id/renew",
      guarded((ctx) => this.renew(ctx)),
    );
    this.route(
      "POST",
      "/ssl-certificate/:id/reissue",
      guarded((ctx) => this.reissue(ctx)),
    );
    this.route(
      "POST",
      "/ssl-certificate/:id/validate",
      guarded((ctx) => this.validate(ctx)),
    );
    this.route(
      "GET",
      "/ssl-certificate/:id/validation-details",
      guarded((ctx) => ({ json: this.validationDetails(this.find(ctx)) })),
    );
    for (const format of ["zip", "pkcs7", "crt", "csr", "ca"] as const) {
      this.route(
        "GET",
        `/ssl-certificate/:id/download-${format}`,
        guarded((ctx) => this.download(this.find(ctx), format)),
      );
    }
  }

  private remember(reference: string, id: string): void {
    const ids = this.byReference.get(reference) ?? [];
    if (!ids.includes(id)) ids.push(id);
    this.byReference.set(reference, ids);
  }

  private authorized(ctx: RouteContext): boolean {
    const header = ctx.headers.authorization ?? "";
    if (!header.startsWith("Basic ")) return false;
    const [user, ...rest] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
    return user === this.credentials.username && rest.join(":") === this.credentials.apiKey;
  }

  private maybeDrop(ctx: RouteContext): void {
    const rule = this.dropRules.find(
      (r) => r.remaining > 0 && r.method === ctx.method && r.path.test(ctx.url.pathname),
    );
    if (!rule) return;
    rule.remaining -= 1;
    this.faults.record("drop");
    ctx.req.socket.destroy();
  }

  private find(ctx: RouteContext): Order {
    const order = this.orders.get(ctx.params.id ?? "");
    if (!order) throw new Rejection(problem(404, "NOT_FOUND", "Certificate not found"));
    return order;
  }

  private list(ctx: RouteContext): RouteResult {
    const plan = ctx.query.get("plan");
    const reference = ctx.query.get("client_reference");
    let items: Order[];
    if (reference !== null) {
      const ids = this.byReference.get(reference) ?? [];
      items = ids
        .map((id) => this.orders.get(id))
        .filter((o): o is Order => o !== undefined && (!plan || o.plan === plan));
    } else {
      items = [...this.orders.values()].filter((o) => !plan || o.plan === plan);
    }
    // The spec returns "all certificates" and documents only the plan and client_reference filters. inferred:
    // `page` (1-based) and `per_page` (<= 1000) page the array (benchmarks use it); with `ignorePaging` they are
    // ignored, as a server that never heard of them would.
    const page = this.ignorePaging ? 0 : Number(ctx.query.get("page") ?? "0");
    const perPage = Math.min(Number(ctx.query.get("per_page") ?? "100") || 100, 1000);
    if (page >= 1) items = items.slice((page - 1) * perPage, page * perPage);
    return { json: items.map((o) => this.view(o)) };
  }

  private body(ctx: RouteContext): Record<string, unknown> {
    const json = ctx.json();
    if (!json || typeof json !== "object" || Array.isArray(json))
      throw new Rejection(problem(400, "INVALID_REQUEST", "Request body must be a JSON object"));
    return json as Record<string, unknown>;
  }

  private async checkOrderFields(
    body: Record<string, unknown>,
    plan: ResellerPlan,
  ): Promise<{ csr: string; commonName: string; domains: string[]; dcvType: string }> {
    const str = (k: string): string | undefined =>
      typeof body[k] === "string" && (body[k] as string) !== "" ? (body[k] as string) : undefined;
    const csr = str("csr");
    if (!csr) throw new Rejection(problem(400, "VALIDATION_ERROR", "csr is required", "csr"));
    let facts;
    try {
      facts = await inspectCsr(csr);
    } catch {
      throw new Rejection(problem(400, "VALIDATION_ERROR", "csr is not a valid Certificate Signing Request", "csr"));
    }
    if (facts.keyType !== "rsa" || (facts.keyBits ?? 0) < 2048)
      throw new Rejection(
        problem(
          400,
          "VALIDATION_ERROR",
          "The CSR should be generated using a key of at least 2048 bits in length",
          "csr",
        ),
      );
    const dcvType = str("dcv_type");
    if (!dcvType || !DCV_TYPES.includes(dcvType))
      throw new Rejection(problem(400, "VALIDATION_ERROR", "dcv_type must be one of EMAIL, FILE, DNS", "dcv_type"));
    if (dcvType === "EMAIL" && !str("approver_email_address"))
      throw new Rejection(
        problem(
          400,
          "VALIDATION_ERROR",
          "approver_email_address is required for EMAIL Domain Control Validation",
          "approver_email_address",
        ),
      );
    if (plan.validation !== "DV") {
      for (const f of ORG_FIELDS)
        if (!str(f))
          throw new Rejection(
            problem(400, "VALIDATION_ERROR", `${f} is required for ${plan.validation} certificates`, f),
          );
    }
    const domains = [...new Set([facts.commonName, ...facts.sans].filter((d) => d !== ""))];
    return { csr, commonName: facts.commonName || domains[0] || "", domains, dcvType };
  }

  private planOf(id: unknown): ResellerPlan {
    const plan = typeof id === "string" ? this.plans.find((p) => p.id === id) : undefined;
    if (!plan)
      throw new Rejection(problem(400, "VALIDATION_ERROR", "plan must be the UUID of an existing plan", "plan"));
    return plan;
  }

  private async create(ctx: RouteContext): Promise<RouteResult> {
    const body = this.body(ctx);
    const reference =
      typeof body.client_reference === "string" && body.client_reference !== "" ? body.client_reference : undefined;
    // Every POST is a purchase: the spec offers client_reference as a lookup filter to recover a lost answer, not
    // as a promise that a repeated create is free, so a client that posts twice pays twice.
    const plan = this.planOf(body.plan);
    const fields = await this.checkOrderFields(body, plan);
    const now = this.clock();
    this.seq += 1;
    const order: Order = {
      id: randomUUID(),
      status: "pending",
      plan: plan.id,
      references: new Set(reference ? [reference] : []),
      clientReference: reference ?? null,
      commonName: fields.commonName,
      domains: fields.domains,
      validFrom: null,
      validUntil: null,
      dcvType: fields.dcvType,
      approverEmail: typeof body.approver_email_address === "string" ? body.approver_email_address : undefined,
      createdAt: now,
      csr: fields.csr,
      pendingCsr: fields.csr,
      certificate: undefined,
      chain: undefined,
      polls: 0,
      validationStatus: "pending",
      lastChargeAt: now,
      dcvMode: undefined,
    };
    this.orders.set(order.id, order);
    if (reference) this.remember(reference, order.id);
    this.purchases += 1;
    return { status: 201, json: this.view(order) };
  }

  private async renew(ctx: RouteContext): Promise<RouteResult> {
    const order = this.find(ctx);
    const body = this.body(ctx);
    const reference =
      typeof body.client_reference === "string" && body.client_reference !== "" ? body.client_reference : undefined;
    // Every accepted renew is charged, as every create is (see create); a second one while the first is pending
    // is refused below because the order has a request in progress.
    if (order.status === "cancelled")
      throw new Rejection(problem(400, "INVALID_STATE", "A cancelled certificate cannot be renewed"));
    if (order.status === "pending")
      throw new Rejection(
        problem(400, "INVALID_STATE", "The certificate has a request in progress; wait until it is active"),
      );
    const plan = this.planOf(body.plan ?? order.plan);
    const fields = await this.checkOrderFields(body, plan);
    order.status = "pending";
    order.pendingCsr = fields.csr;
    order.dcvType = fields.dcvType;
    order.polls = 0;
    order.validationStatus = "pending";
    order.lastChargeAt = this.clock();
    if (reference) {
      order.references.add(reference);
      order.clientReference = reference;
      this.remember(reference, order.id);
    }
    this.purchases += 1;
    return { json: this.view(order) };
  }

  private async reissue(ctx: RouteContext): Promise<RouteResult> {
    const order = this.find(ctx);
    const body = this.body(ctx);
    const reference =
      typeof body.client_reference === "string" && body.client_reference !== "" ? body.client_reference : undefined;
    // inferred: a repeated reissue with the same client_reference answers the reissue already made
    if (reference && order.references.has(reference)) return { json: this.view(order) };
    if (order.status !== "active")
      throw new Rejection(problem(400, "INVALID_STATE", "Only an active certificate can be reissued"));
    const fields = await this.checkOrderFields(body, this.planOf(order.plan));
    // Reissue is not a purchase: same validity window, new key; the old certificate is invalidated at once.
    await this.sign(order, fields.csr, order.validUntil ?? undefined);
    order.commonName = fields.commonName;
    order.domains = fields.domains;
    if (reference) {
      order.references.add(reference);
      order.clientReference = reference;
      this.remember(reference, order.id);
    }
    return { json: this.view(order) };
  }

  private validate(ctx: RouteContext): RouteResult {
    const order = this.find(ctx);
    const body = this.body(ctx);
    if (body.dcv_type !== undefined && (typeof body.dcv_type !== "string" || !DCV_TYPES.includes(body.dcv_type)))
      throw new Rejection(problem(400, "VALIDATION_ERROR", "dcv_type must be one of EMAIL, FILE, DNS", "dcv_type"));
    if (order.status !== "pending")
      throw new Rejection(problem(400, "INVALID_STATE", "Only a pending certificate can be validated"));
    if (typeof body.dcv_type === "string") order.dcvType = body.dcv_type;
    order.validationStatus = "pending";
    order.polls = 0;
    return { json: this.view(order) };
  }

  private remove(ctx: RouteContext): RouteResult {
    const order = this.find(ctx);
    if (order.status === "cancelled")
      throw new Rejection(problem(400, "INVALID_STATE", "The certificate is already cancelled"));
    const plan = this.planOf(order.plan);
    const now = this.clock().getTime();
    const refunded = now - order.lastChargeAt.getTime() <= plan.grace_period_days * DAY_MS;
    if (refunded) this.refunds += 1;
    order.status = "cancelled";
    // inferred: the answer carries the cancelled object plus whether a refund was made
    return { json: { ...this.view(order), refunded } };
  }

  /** Advance DCV on each GET: `auto` passes after `pollsUntilActive` reads; `stuck` never; `fail` fails. */
  private async progress(order: Order): Promise<Order> {
    if (order.status === "active" && order.validUntil && order.validUntil.getTime() <= this.clock().getTime())
      order.status = "expired";
    if (order.status !== "pending") return order;
    const mode = order.dcvMode ?? this.dcvMode;
    if (mode === "stuck") {
      this.faults.record("async-stall");
      return order;
    }
    if (mode === "fail") {
      order.validationStatus = "failed";
      return order;
    }
    order.polls += 1;
    if (order.polls < this.pollsUntilActive) return order;
    await this.sign(order, order.pendingCsr ?? order.csr);
    return order;
  }

  private async sign(order: Order, csr: string, notAfter?: Date): Promise<void> {
    const plan = this.planOf(order.plan);
    const now = this.clock();
    const until = notAfter ?? new Date(now.getTime() + plan.validity_days * DAY_MS);
    const signed = await this.ca.signCsr(csr, { notBefore: now, notAfter: until });
    order.certificate = signed.certificate;
    order.chain = signed.chain;
    order.csr = csr;
    order.pendingCsr = undefined;
    order.validFrom = now;
    order.validUntil = until;
    order.status = "active";
    order.validationStatus = "passed";
  }

  private validationDetails(order: Order): unknown {
    // inferred shape: one step per domain with its method and state
    const mode = order.dcvMode ?? this.dcvMode;
    const message =
      order.validationStatus === "passed"
        ? "Domain control validated"
        : order.validationStatus === "failed"
          ? `${order.dcvType} validation failed: the validation token was not found; fix it and call /validate`
          : mode === "stuck"
            ? `Waiting for ${order.dcvType} validation: the validation token has not been found yet`
            : `${order.dcvType} validation in progress`;
    return {
      status: order.validationStatus,
      dcv_type: order.dcvType,
      steps: order.domains.map((domain) => ({
        domain,
        dcv_type: order.dcvType,
        status: order.validationStatus,
        message,
        ...(order.dcvType === "EMAIL" && order.approverEmail ? { email_address: order.approverEmail } : {}),
      })),
    };
  }

  private download(order: Order, format: "zip" | "pkcs7" | "crt" | "csr" | "ca"): RouteResult {
    const file = (name: string, body: Buffer | string): RouteResult => ({
      body,
      headers: { "content-type": "application/octet-stream", "content-disposition": `attachment; filename="${name}"` },
    });
    const base = order.commonName.replace(/[^A-Za-z0-9.-]/g, "_") || order.id;
    if (format === "csr") {
      // inferred: while a create or renew is pending, the CSR on file is the one that request sent
      const csr = order.pendingCsr ?? order.csr;
      if (!csr) throw new Rejection(problem(404, "NOT_FOUND", "No CSR stored for this certificate"));
      return file(`${base}.csr`, csr);
    }
    // inferred: nothing to download before the first issuance
    if (!order.certificate || !order.chain)
      throw new Rejection(problem(404, "NOT_ISSUED", "The certificate has not been issued yet"));
    if (format === "crt") return file(`${base}.crt`, order.certificate);
    if (format === "ca") return file(`${base}.ca-bundle`, order.chain);
    if (format === "pkcs7") {
      const pems =
        [order.certificate, order.chain]
          .join("\n")
          .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      const p7 = new X509Certificates(pems.map((p) => new X509Certificate(p)));
      // PEM-armoured PKCS#7 certs-only (`openssl pkcs7 -print_certs` reads it as is)
      const b64 = Buffer.from(p7.export("raw"))
        .toString("base64")
        .replace(/.{1,64}/g, "$&\n");
      return file(`${base}.p7b`, `-----BEGIN PKCS7-----\n${b64}-----END PKCS7-----\n`);
    }
    return file(
      `${base}.zip`,
      Buffer.from(
        zipSync({ [`${base}.crt`]: strToU8(order.certificate), [`${base}.ca-bundle`]: strToU8(order.chain) }),
      ),
    );
  }

  private view(o: Order): ResellerOrderView {
    const mode = o.dcvMode ?? this.dcvMode;
    // inferred: an active certificate past its end date reads as `expired` everywhere (list included)
    const expired = o.status === "active" && o.validUntil !== null && o.validUntil.getTime() <= this.clock().getTime();
    return {
      id: o.id,
      status: expired ? "expired" : o.status,
      plan: o.plan,
      client_reference: o.clientReference,
      common_name: o.commonName,
      domains: o.domains,
      valid_from: o.validFrom?.toISOString() ?? null,
      valid_until: o.validUntil?.toISOString() ?? null,
      dcv_type: o.dcvType,
      validation: {
        status: o.validationStatus,
        method: o.dcvType,
        message:
          o.validationStatus === "passed"
            ? "validated"
            : o.validationStatus === "failed"
              ? "validation failed"
              : mode === "stuck"
                ? "waiting for validation"
                : "in progress",
      },
      created_at: o.createdAt.toISOString(),
    };
  }
}

export async function startResellerSandbox(options: ResellerSandboxOptions): Promise<ResellerSandbox> {
  const sandbox = new ResellerSandbox(options);
  await sandbox.start();
  return sandbox;
}

/** Adds `count` lightweight active records (no signing) with validity spread over 1..400 days, for benchmarks. */
export function seedResellerCertificates(sandbox: ResellerSandbox, count: number): void {
  sandbox.seed(count);
}
