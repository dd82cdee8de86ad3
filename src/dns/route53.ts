/**
 * DNS-01 through Amazon Route 53, as lego's `route53` provider does it: the TXT record set is read, our value added
 * (UPSERT keeps values other challenges put there), the change is awaited until GetChange says INSYNC, and cleanUp
 * removes only our value (DELETE once none is left). The hosted zone is `hostedZoneId` when given, else the public
 * zone whose name is the longest suffix of the record name.
 * API: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
 */
import type { Route53Client } from "@aws-sdk/client-route-53";
import { PollWindow } from "../deadline.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { challengeRecord } from "./challenge.js";
import type { DnsChallengeProvider, DnsProviderDeps } from "./types.js";

const VENDOR = "route53";

/** lego's route53 options (AWS_HOSTED_ZONE_ID, AWS_TTL, AWS_PROPAGATION_TIMEOUT, AWS_POLLING_INTERVAL, AWS_MAX_RETRIES). */
export interface Route53Settings {
  hostedZoneId?: string;
  /** seconds; lego's default 10 */
  ttl?: number;
  /** seconds; lego's default 120 */
  propagationTimeout?: number;
  /** seconds; lego's default 4 */
  pollingInterval?: number;
  /** SDK attempts per call; lego's default 5 */
  maxRetries?: number;
}

export type Route53Deps = DnsProviderDeps;

interface RecordSet {
  ttl: number;
  values: string[];
}

const quoted = (value: string) => `"${value}"`;
const unquoted = (value: string) => value.replace(/^"|"$/g, "");

function normalizedZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, "");
}

function asVendorError(error: unknown, action: string): unknown {
  if (error instanceof CertrelayError) return error;
  const name = error instanceof Error ? error.name : "";
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const detail = error instanceof Error ? error.message : String(error);
  if (name === "AccessDenied" || name === "AccessDeniedException" || status === 403) {
    return new CertrelayError(
      ErrorCodes.AUTH_FAILED,
      `route53 refused to ${action}: the role needs route53:ListHostedZones, route53:ListResourceRecordSets, route53:ChangeResourceRecordSets and route53:GetChange (see serverless.yml)`,
      { vendor: VENDOR, cause: error },
    );
  }
  if (name === "NoSuchHostedZone") {
    return new CertrelayError(
      ErrorCodes.VENDOR_NOT_FOUND,
      `route53 has no such hosted zone while trying to ${action}: check dns.hostedZoneId`,
      { vendor: VENDOR, field: "dns.hostedZoneId", cause: error, ...(status ? { status } : {}) },
    );
  }
  if (name === "Throttling" || name === "ThrottlingException" || name === "PriorRequestNotComplete") {
    return new CertrelayError(
      ErrorCodes.RATE_LIMITED,
      `route53 throttled the request to ${action}; the next run tries again`,
      { vendor: VENDOR, cause: error },
    );
  }
  return new CertrelayError(ErrorCodes.VENDOR_ERROR, `route53 failed to ${action}: ${detail}`, {
    vendor: VENDOR,
    cause: error,
    ...(status ? { status } : {}),
  });
}

export class Route53Provider implements DnsChallengeProvider {
  readonly name = "route53";
  private client: Promise<{ client: Route53Client; sdk: typeof import("@aws-sdk/client-route-53") }> | undefined;
  private readonly zones = new Map<string, Promise<string>>();
  /** read-modify-write of one record set must not interleave (a wildcard and its apex share `_acme-challenge.x`) */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly settings: Route53Settings,
    private readonly deps: Route53Deps,
  ) {}

  timeout(): { timeoutMs: number; intervalMs: number } {
    return {
      timeoutMs: (this.settings.propagationTimeout ?? 120) * 1000,
      intervalMs: (this.settings.pollingInterval ?? 4) * 1000,
    };
  }

  async present(domain: string, _token: string, keyAuth: string): Promise<void> {
    const { fqdn, value } = challengeRecord(domain, keyAuth);
    await this.serialized(fqdn, async () => {
      const zoneId = await this.zoneFor(fqdn);
      const existing = await this.readTxt(zoneId, fqdn);
      const values = [...new Set([...(existing?.values ?? []), value])];
      const changeId = await this.change(zoneId, "UPSERT", fqdn, { ttl: this.settings.ttl ?? 10, values });
      await this.waitInSync(changeId, fqdn);
    });
  }

  async cleanUp(domain: string, _token: string, keyAuth: string): Promise<void> {
    const { fqdn, value } = challengeRecord(domain, keyAuth);
    await this.serialized(fqdn, async () => {
      const zoneId = await this.zoneFor(fqdn);
      const existing = await this.readTxt(zoneId, fqdn);
      if (!existing || !existing.values.includes(value)) return;
      const rest = existing.values.filter((v) => v !== value);
      // DELETE must name the record set exactly as it is; UPSERT keeps what other challenges still need.
      await (rest.length === 0
        ? this.change(zoneId, "DELETE", fqdn, existing)
        : this.change(zoneId, "UPSERT", fqdn, { ttl: existing.ttl, values: rest }));
    });
  }

  async close(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    if (pending) (await pending.catch(() => undefined))?.client.destroy();
  }

  /** every call ends when the run's deadline does (the SDK's own retries included) */
  private sendOptions(): { abortSignal?: AbortSignal } {
    return this.deps.deadline ? { abortSignal: this.deps.deadline.signal } : {};
  }

  private serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.queues.set(key, next);
    return next;
  }

  private sdk(): Promise<{ client: Route53Client; sdk: typeof import("@aws-sdk/client-route-53") }> {
    // loaded on first use: most runs never renew through Route53 (cold start)
    this.client ??= import("@aws-sdk/client-route-53").then((sdk) => ({
      sdk,
      client: new sdk.Route53Client({ ...(this.deps.aws ?? {}), maxAttempts: this.settings.maxRetries ?? 5 }),
    }));
    return this.client;
  }

  private zoneFor(fqdn: string): Promise<string> {
    if (this.settings.hostedZoneId) return Promise.resolve(normalizedZoneId(this.settings.hostedZoneId));
    let found = this.zones.get(fqdn);
    if (!found) {
      found = this.findZone(fqdn);
      this.zones.set(fqdn, found);
      found.catch(() => this.zones.delete(fqdn));
    }
    return found;
  }

  /** The public hosted zone with the longest name that `fqdn` ends with. */
  private async findZone(fqdn: string): Promise<string> {
    const { client, sdk } = await this.sdk();
    const name = fqdn.toLowerCase();
    let best: { id: string; length: number } | undefined;
    let marker: string | undefined;
    do {
      const page = await client
        .send(new sdk.ListHostedZonesCommand({ ...(marker ? { Marker: marker } : {}) }), this.sendOptions())
        .catch((e: unknown) => {
          throw asVendorError(e, "list hosted zones");
        });
      for (const zone of page.HostedZones ?? []) {
        if (zone.Config?.PrivateZone || !zone.Name || !zone.Id) continue;
        const zoneName = zone.Name.toLowerCase().endsWith(".")
          ? zone.Name.toLowerCase()
          : `${zone.Name.toLowerCase()}.`;
        if ((name === zoneName || name.endsWith(`.${zoneName}`)) && (!best || zoneName.length > best.length))
          best = { id: normalizedZoneId(zone.Id), length: zoneName.length };
      }
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    if (!best) {
      throw new CertrelayError(
        ErrorCodes.VENDOR_NOT_FOUND,
        `route53 has no public hosted zone for ${fqdn}: create one for the domain, or set dns.hostedZoneId`,
        { vendor: VENDOR, field: "dns.hostedZoneId" },
      );
    }
    return best.id;
  }

  private async readTxt(zoneId: string, fqdn: string): Promise<RecordSet | undefined> {
    const { client, sdk } = await this.sdk();
    const page = await client
      .send(
        new sdk.ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: fqdn,
          StartRecordType: "TXT",
          MaxItems: 1,
        }),
        this.sendOptions(),
      )
      .catch((e: unknown) => {
        throw asVendorError(e, `read the TXT record ${fqdn}`);
      });
    const set = page.ResourceRecordSets?.[0];
    const setName = set?.Name?.toLowerCase().replace(/\\052/g, "*");
    if (!set || set.Type !== "TXT" || (setName !== fqdn.toLowerCase() && `${setName}.` !== fqdn.toLowerCase()))
      return undefined;
    return {
      ttl: set.TTL ?? this.settings.ttl ?? 10,
      values: (set.ResourceRecords ?? []).map((r) => unquoted(r.Value ?? "")),
    };
  }

  private async change(zoneId: string, action: "UPSERT" | "DELETE", fqdn: string, set: RecordSet): Promise<string> {
    const { client, sdk } = await this.sdk();
    const answer = await client
      .send(
        new sdk.ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Comment: "certrelay ACME DNS-01 challenge",
            Changes: [
              {
                Action: action,
                ResourceRecordSet: {
                  Name: fqdn,
                  Type: "TXT",
                  TTL: set.ttl,
                  ResourceRecords: set.values.map((v) => ({ Value: quoted(v) })),
                },
              },
            ],
          },
        }),
        this.sendOptions(),
      )
      .catch((e: unknown) => {
        throw asVendorError(e, `${action === "DELETE" ? "delete" : "write"} the TXT record ${fqdn}`);
      });
    return answer.ChangeInfo?.Id ?? "";
  }

  /** Route53 applies a change to all its name servers asynchronously; INSYNC means every one answers it. */
  private async waitInSync(changeId: string, fqdn: string): Promise<void> {
    if (!changeId) return;
    const { client, sdk } = await this.sdk();
    const { timeoutMs, intervalMs } = this.timeout();
    const window = new PollWindow({
      clock: this.deps.clock,
      sleep: this.deps.sleep,
      poll: { intervalMs, maxWaitMs: timeoutMs },
      deadline: this.deps.deadline,
    });
    do {
      const answer = await client
        .send(new sdk.GetChangeCommand({ Id: changeId }), this.sendOptions())
        .catch((e: unknown) => {
          throw asVendorError(e, `read the state of change ${changeId}`);
        });
      if (answer.ChangeInfo?.Status === "INSYNC") return;
    } while (await window.next());
    throw new CertrelayError(
      ErrorCodes.TIMEOUT,
      `route53 change for ${fqdn} was not INSYNC ${window.describe()} (dns.propagationTimeout); the next run tries again`,
      { vendor: VENDOR, field: "dns.propagationTimeout" },
    );
  }
}
