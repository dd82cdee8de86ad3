/**
 * Providers that hand the pipeline fakes instead of building vendor objects from config entries: the config still
 * names real providers (it must parse), but what runs is the FakeIssuer and FakeTargets given here.
 */
import type { ManagedCertificate } from "../../src/config/index.js";
import type { Issuer, Target } from "../../src/model.js";
import type { Providers } from "../../src/pipeline/index.js";

export interface FakeWiring {
  issuer?: Issuer;
  targets: Target[];
}

export class FakeProviders implements Providers {
  closes = 0;
  /** one wiring for every certificate, or one per certificate name */
  constructor(private readonly wiring: FakeWiring | ((certificate: ManagedCertificate) => FakeWiring)) {}

  private of(certificate: ManagedCertificate): FakeWiring {
    return typeof this.wiring === "function" ? this.wiring(certificate) : this.wiring;
  }

  async issuerFor(certificate: ManagedCertificate): Promise<Issuer | undefined> {
    return certificate.issuer ? this.of(certificate).issuer : undefined;
  }

  async targetsFor(certificate: ManagedCertificate): Promise<Target[]> {
    return this.of(certificate).targets;
  }

  async close(): Promise<void> {
    this.closes += 1;
  }
}
