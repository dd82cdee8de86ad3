/**
 * An in-memory Issuer over a TestCA: orders kept by id and by reference, a purchase counter, orders that stay pending
 * for a set number of answers, and lookup by reference (switchable), so pipeline tests can stage "a run died after
 * the CA answered" or "the order was bought with another key" without an HTTP sandbox. Like a careful vendor, an
 * issue() whose reference already has an order collects that order instead of buying again.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import { CertrelayError, ErrorCodes } from "../../src/errors.js";
import type { Clock, IssueOutcome, IssueRequest, Issuer, KeyType } from "../../src/model.js";
import type { TestCA } from "../../src/sandbox/ca.js";
import { inspectCsr } from "../../src/x509/index.js";

export interface FakeIssuerOptions {
  keyType?: KeyType;
  /** answers of "pending" each new order gives before it is issued (default 0: issued at once) */
  pendingAnswers?: number;
  /** offer `lookup` (default true) */
  lookup?: boolean;
  provider?: Issuer["provider"];
  /** certificate validity in days (default 90) */
  days?: number;
  /** issue certificates valid from this clock's now (default: the CA's now) */
  clock?: Clock;
}

export interface FakeOrder {
  id: string;
  reference: string;
  /** the CSR the order was placed with: its key is the only one the certificate can certify */
  csr: string;
  pendingLeft: number;
  issued?: { certificate: string; chain: string };
}

async function spki(pem: string): Promise<string> {
  const key = pem.includes("CERTIFICATE REQUEST")
    ? (await inspectCsr(pem)).publicKeyPem
    : new X509Certificate(pem).publicKey.export({ type: "spki", format: "pem" }).toString();
  return createPublicKey(key).export({ type: "spki", format: "der" }).toString("base64");
}

export class FakeIssuer implements Issuer {
  readonly provider: Issuer["provider"];
  readonly label = "fake issuer";
  readonly keyType: KeyType;
  readonly orders = new Map<string, FakeOrder>();
  /** orders placed (each one a purchase) */
  purchases = 0;
  closes = 0;
  lookup?: (request: IssueRequest) => Promise<IssueOutcome | undefined>;

  constructor(
    private readonly ca: TestCA,
    private readonly options: FakeIssuerOptions = {},
  ) {
    this.provider = options.provider ?? "reseller";
    this.keyType = options.keyType ?? "rsa";
    if (options.lookup ?? true) {
      this.lookup = async (request) => {
        const order = this.byReference(request.reference);
        return order ? this.answer(order, request) : undefined;
      };
    }
  }

  /** Place an order as another run would have (e.g. the one that died), without going through a pipeline. */
  async place(request: IssueRequest): Promise<FakeOrder> {
    this.purchases += 1;
    const order: FakeOrder = {
      id: `order-${this.purchases}`,
      reference: request.reference,
      csr: request.csr,
      pendingLeft: this.options.pendingAnswers ?? 0,
    };
    this.orders.set(order.id, order);
    return order;
  }

  async issue(request: IssueRequest): Promise<IssueOutcome> {
    const earlier = this.byReference(request.reference);
    if (earlier) return this.answer(earlier, request);
    const order = await this.place(request);
    await request.onOrder?.(order.id);
    return this.answer(order, request);
  }

  async resume(orderId: string, request: IssueRequest): Promise<IssueOutcome> {
    const order = this.orders.get(orderId);
    if (!order) throw new CertrelayError(ErrorCodes.ORDER_UNUSABLE, `${this.label} has no order ${orderId}`);
    return this.answer(order, request);
  }

  async close(): Promise<void> {
    this.closes += 1;
  }

  private byReference(reference: string): FakeOrder | undefined {
    return [...this.orders.values()].find((o) => o.reference === reference);
  }

  private async answer(order: FakeOrder, request: IssueRequest): Promise<IssueOutcome> {
    if (order.pendingLeft > 0) {
      order.pendingLeft -= 1;
      return { state: "pending", orderId: order.id, detail: `order ${order.id} is being validated` };
    }
    order.issued ??= await this.ca.signCsr(order.csr, {
      days: this.options.days ?? 90,
      ...(this.options.clock ? { notBefore: this.options.clock() } : {}),
    });
    // as a real CA's order: it certifies the key it was placed with, whatever key the caller holds now
    if ((await spki(order.issued.certificate)) !== (await spki(request.csr))) {
      throw new CertrelayError(
        ErrorCodes.KEY_MISMATCH,
        `${this.label} order ${order.id} holds a certificate for a different key than this CSR`,
      );
    }
    return { state: "issued", certificate: order.issued.certificate, chain: order.issued.chain, orderId: order.id };
  }
}
