import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IssueOutcome, Issuer } from "../src/model.js";
import { definition as acme } from "../src/providers/acme/definition.js";
import type { AcmeResponder } from "../src/sandbox/acme/responder.js";
import { certFacts } from "../src/x509/index.js";
import { buildIssuer, contractContext } from "./contract/build.js";
import { contractSandboxes } from "./contract/sandboxes.js";
import type { IssuerSubject } from "./contract/subject.js";

function issued(outcome: IssueOutcome): Extract<IssueOutcome, { state: "issued" }> {
  if (outcome.state !== "issued") throw new Error(`expected an issued certificate, got pending: ${outcome.detail}`);
  return outcome;
}

describe("acme issuer: the account's orders list (RFC 8555 §7.1.2.1) finds the order of a request seen before", () => {
  let subject: IssuerSubject;
  let responder: AcmeResponder;
  const open: Issuer[] = [];
  const issuer = (): Issuer => {
    const made = buildIssuer(acme, subject.entry, subject.credentials, {
      ...contractContext(subject.trust, subject.store),
      ...subject.context,
    });
    open.push(made);
    return made;
  };
  beforeAll(async () => {
    subject = await contractSandboxes.acme!.issuer!();
    responder = subject.sandbox as unknown as AcmeResponder;
  });
  afterAll(async () => {
    await Promise.allSettled(open.map((i) => i.close()));
    await subject?.stop();
  });

  it("with the list (Pebble), a second run of the same request collects the first order and orders nothing", async () => {
    const req = await subject.request("orders-list:1", "rsa");
    const first = issued(await issuer().issue(req));
    const orders = responder.orders.length;
    const seen: string[] = [];
    const again = issued(
      await issuer().issue({
        ...req,
        onOrder: async (url) => {
          seen.push(url);
        },
      }),
    );
    expect(responder.orders.length).toBe(orders);
    expect(again.orderId).toBe(first.orderId);
    // the pipeline hears of the order it carries on, as it would of a new one
    expect(seen).toEqual([first.orderId]);
    expect(certFacts(again.certificate).serial).toBe(certFacts(first.certificate).serial);
  });

  it("a new key for the same names is a new order: a valid order only matches a certificate for the request's key", async () => {
    const orders = responder.orders.length;
    issued(await issuer().issue(await subject.request("orders-list:2", "rsa")));
    expect(responder.orders.length).toBe(orders + 1);
  });

  it("without the list (Let's Encrypt's Boulder), the same request orders again: the known limit, not an error", async () => {
    responder.accountOrders = false;
    try {
      const req = await subject.request("orders-list:3", "rsa");
      const orders = responder.orders.length;
      const first = issued(await issuer().issue(req));
      const again = issued(await issuer().issue(req));
      expect(responder.orders.length).toBe(orders + 2);
      expect(again.orderId).not.toBe(first.orderId);
    } finally {
      responder.accountOrders = true;
    }
  });
});
