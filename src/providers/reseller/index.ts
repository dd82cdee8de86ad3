/**
 * The Resello reseller as a certrelay Issuer. Money is real: every create/renew is preceded by a lookup by
 * client_reference (= request.reference), and a POST whose answer was lost is never repeated — the order is
 * looked up again instead. A crashed run that re-issues with the same reference resumes the same order.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../../errors.js";
import type { IssueOutcome, IssueRequest, Issuer } from "../../model.js";
import { expireInDays, inspectCsr } from "../../x509/index.js";
import type { ProviderContext } from "../context.js";
import { writeOnce } from "../kit/landed.js";
import { eachItem } from "../kit/paging.js";
import { ResellerClient } from "./client.js";
import type { DcvType, SslCertificate, SslCertificateRequest } from "./types.js";

const VENDOR = "reseller";

export interface ResellerOrganization {
  chamberOfCommerce?: string;
  companyName?: string;
  department?: string;
  address?: string;
  city?: string;
  zipCode?: string;
  approverFirstName?: string;
  approverLastName?: string;
  approverPhoneNumber?: string;
}

export interface ResellerSettings {
  endpoint: string;
  /** plan UUID to buy; required to create a new certificate */
  plan?: string;
  /** an existing certificate order to renew/reissue */
  certificateId?: string;
  /** default DNS */
  dcvType?: DcvType;
  approverEmail?: string;
  organization?: ResellerOrganization;
}

/** Credential keys: `username` (API username) and `apiKey`. */
export type ResellerCredentials = Record<string, string>;

export interface ResellerCertificateSummary {
  id: string;
  status: string;
  commonName: string;
  notAfter: Date | undefined;
  expireIn: number | undefined;
}

function credentialsOf(credentials: ResellerCredentials): { username: string; apiKey: string } {
  for (const key of ["username", "apiKey"] as const) {
    if (!credentials[key])
      throw new CertrelayError(
        ErrorCodes.INPUT_MISSING,
        `reseller credentials need '${key}' (API username and API key)`,
        { field: key, vendor: VENDOR },
      );
  }
  return { username: credentials.username!, apiKey: credentials.apiKey! };
}

function requestBody(settings: ResellerSettings, csr: string, reference: string, plan?: string): SslCertificateRequest {
  const dcvType = settings.dcvType ?? "DNS";
  if (dcvType === "EMAIL" && !settings.approverEmail)
    throw new CertrelayError(ErrorCodes.INPUT_MISSING, "reseller approverEmail is required when dcvType is EMAIL", {
      field: "approverEmail",
      vendor: VENDOR,
    });
  const o = settings.organization ?? {};
  const optional: Record<string, string | undefined> = {
    approver_email_address: settings.approverEmail,
    chamber_of_commerce: o.chamberOfCommerce,
    company_name: o.companyName,
    department: o.department,
    address: o.address,
    city: o.city,
    zip_code: o.zipCode,
    approver_first_name: o.approverFirstName,
    approver_last_name: o.approverLastName,
    approver_phone_number: o.approverPhoneNumber,
    plan,
  };
  const defined = Object.fromEntries(
    Object.entries(optional).filter(([, v]) => v !== undefined),
  ) as Partial<SslCertificateRequest>;
  return { csr, dcv_type: dcvType, client_reference: reference, ...defined };
}

function spki(pem: string): string {
  return createPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64");
}

class ResellerOrders {
  readonly client: ResellerClient;
  constructor(
    readonly settings: ResellerSettings,
    credentials: ResellerCredentials,
    readonly ctx: ProviderContext,
  ) {
    if (!settings.endpoint)
      throw new CertrelayError(ErrorCodes.INPUT_MISSING, "reseller endpoint is required", {
        field: "endpoint",
        vendor: VENDOR,
      });
    this.client = new ResellerClient(settings.endpoint, credentialsOf(credentials), ctx);
  }

  async byReference(reference: string): Promise<SslCertificate | undefined> {
    const found = await this.client.findByReference(reference);
    // Only an exact client_reference match counts: if the filter were ignored and the whole account listed,
    // "the first order" would resume someone else's certificate.
    // A reference is a filter, not a key: should it match several orders, the one still alive is the one to collect.
    const exact = found.filter((o) => o.client_reference === reference);
    return exact.find((o) => o.status === "pending" || o.status === "active") ?? exact[0];
  }

  /**
   * An open order already placed with this CSR's key, whatever its reference: the vendor promises
   * client_reference only as a lookup filter (a renew may keep the create's reference), so before any purchase
   * the pending orders for the CSR's names are compared by the public key of the CSR each holds.
   */
  async byPublicKey(csr: string): Promise<SslCertificate | undefined> {
    const facts = await inspectCsr(csr);
    const wanted = spki(facts.publicKeyPem);
    const names = new Set([facts.commonName, ...facts.sans].filter((n) => n !== "").map((n) => n.toLowerCase()));
    const open = (await this.client.listAll()).filter(
      (o) =>
        o.status === "pending" && [o.common_name, ...(o.domains ?? [])].some((n) => names.has(String(n).toLowerCase())),
    );
    for (const order of open) {
      let held: string;
      try {
        held = spki((await inspectCsr(await this.client.download(order.id, "csr"))).publicKeyPem);
      } catch {
        continue; // an order whose CSR cannot be read is not provably ours
      }
      if (held === wanted) return order;
    }
    return undefined;
  }

  /** The order this request already placed, found by client_reference or else by the CSR's key. Never buys. */
  async existing(reference: string, csr: string): Promise<SslCertificate | undefined> {
    return (await this.byReference(reference)) ?? (await this.byPublicKey(csr));
  }

  /** POST once; if its answer is lost, the order is looked up by client_reference (or the CSR's key), never posted again. */
  purchase(reference: string, post: () => Promise<SslCertificate>, csr?: string): Promise<SslCertificate> {
    return writeOnce(post, {
      what: `the reseller order with client_reference ${reference}`,
      // Nothing found: nothing was bought, and the next run may try again with the same reference.
      lookup: async () => (await this.byReference(reference)) ?? (csr ? await this.byPublicKey(csr) : undefined),
      logger: this.ctx.logger,
    });
  }

  async pendingDetail(order: SslCertificate): Promise<string> {
    try {
      const details = await this.client.validationDetails(order.id);
      const steps = details.steps.map((s) => `${s.domain}: ${s.status} (${s.message})`).join("; ");
      return `reseller order ${order.id} is ${order.status}; domain control validation ${details.status} via ${details.dcv_type}${steps ? `: ${steps}` : ""}`;
    } catch {
      return `reseller order ${order.id} is ${order.status}; validation ${order.validation?.status ?? "pending"}`;
    }
  }

  /** One look at the order: pending (with its validation state), or active: download crt + ca and check the key. */
  async collect(orderId: string, csr: string): Promise<IssueOutcome> {
    const order = await this.client.get(orderId);
    if (order.status === "pending") return { state: "pending", orderId, detail: await this.pendingDetail(order) };
    if (order.status !== "active") {
      throw new CertrelayError(
        ErrorCodes.ORDER_UNUSABLE,
        `reseller order ${orderId} is ${order.status}: it will not be issued; start a new order with a new reference`,
        { vendor: VENDOR },
      );
    }
    const certificate = (await this.client.download(orderId, "crt")).trim() + "\n";
    const chain = (await this.client.download(orderId, "ca")).trim() + "\n";
    const wanted = spki((await inspectCsr(csr)).publicKeyPem);
    const got = new X509Certificate(certificate).publicKey.export({ type: "spki", format: "der" }).toString("base64");
    if (got !== wanted) {
      throw new CertrelayError(
        ErrorCodes.KEY_MISMATCH,
        `reseller order ${orderId} holds a certificate for a different key than this CSR: the order was reissued or renewed elsewhere; use a new reference`,
        { vendor: VENDOR },
      );
    }
    return { state: "issued", certificate, chain, orderId };
  }
}

export function createResellerIssuer(
  settings: ResellerSettings,
  credentials: ResellerCredentials,
  ctx: ProviderContext,
): Issuer {
  const orders = new ResellerOrders(settings, credentials, ctx);
  return {
    provider: "reseller",
    label: `reseller ${settings.endpoint}`,
    keyType: "rsa",
    async issue(request: IssueRequest): Promise<IssueOutcome> {
      const renewId = settings.certificateId ?? request.previousOrderId;
      if (!renewId && !settings.plan)
        throw new CertrelayError(
          ErrorCodes.INPUT_MISSING,
          "reseller issuer needs `plan` (a plan UUID) to buy a new certificate, or `certificateId` to renew one",
          { field: "plan", vendor: VENDOR },
        );
      if (!request.reference)
        throw new CertrelayError(
          ErrorCodes.INPUT_MISSING,
          "reseller issue needs a reference (client_reference) so a retry never buys twice",
          { field: "client-reference", vendor: VENDOR },
        );
      const body = requestBody(settings, request.csr, request.reference, renewId ? undefined : settings.plan);
      const earlier = await orders.existing(request.reference, request.csr);
      if (earlier) return orders.collect(earlier.id, request.csr);
      const order = await orders.purchase(
        request.reference,
        () => (renewId ? orders.client.renew(renewId, body) : orders.client.create(body)),
        request.csr,
      );
      return orders.collect(order.id, request.csr);
    },
    resume(orderId: string, request: IssueRequest): Promise<IssueOutcome> {
      return orders.collect(orderId, request.csr);
    },
    async lookup(request: IssueRequest): Promise<IssueOutcome | undefined> {
      const earlier = await orders.existing(request.reference, request.csr);
      return earlier ? orders.collect(earlier.id, request.csr) : undefined;
    },
    close: () => orders.client.close(),
  };
}

/** Reissue an order (new key, same validity, not a purchase); activated right away by the vendor. */
export async function reissueCertificate(
  settings: ResellerSettings,
  credentials: ResellerCredentials,
  request: IssueRequest,
  ctx: ProviderContext,
): Promise<IssueOutcome> {
  const id = settings.certificateId ?? request.previousOrderId;
  if (!id)
    throw new CertrelayError(ErrorCodes.INPUT_MISSING, "reissue needs the reseller certificate id (certificateId)", {
      field: "certificateId",
      vendor: VENDOR,
    });
  const orders = new ResellerOrders(settings, credentials, ctx);
  try {
    // A reissue costs nothing, but a lost answer still must not reissue twice (that would invalidate the first):
    // a re-run with the same reference collects the reissue already made.
    const earlier = await orders.byReference(request.reference);
    if (earlier) return await orders.collect(earlier.id, request.csr);
    const order = await orders.purchase(request.reference, () =>
      orders.client.reissue(id, requestBody(settings, request.csr, request.reference)),
    );
    return await orders.collect(order.id, request.csr);
  } finally {
    await orders.client.close();
  }
}

/**
 * Every certificate of the account, for the fleet scan: one `GET /ssl-certificate`, which the spec answers with all
 * of them (no documented paging, so none is assumed). Each id is yielded once, even if the answer repeats records.
 */
export async function* listResellerCertificates(
  settings: ResellerSettings,
  credentials: ResellerCredentials,
  ctx: ProviderContext,
): AsyncIterable<ResellerCertificateSummary> {
  const orders = new ResellerOrders(settings, credentials, ctx);
  try {
    const now = ctx.clock();
    for await (const o of eachItem({
      fetch: async () => ({ items: await orders.client.listAll() }),
      key: (o) => o.id,
    })) {
      const notAfter = o.valid_until ? new Date(o.valid_until) : undefined;
      yield {
        id: o.id,
        status: o.status,
        commonName: o.common_name,
        notAfter,
        expireIn: notAfter ? expireInDays(notAfter, now) : undefined,
      };
    }
  } finally {
    await orders.client.close();
  }
}
