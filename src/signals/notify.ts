/**
 * Tells a human when the fleet needs one: on any failure, and on any certificate under CRITICAL_DAYS that this
 * run could not renew. One message per invocation (a list), so a bad night is one page, not fifty.
 */
import type { SNSClient } from "@aws-sdk/client-sns";
import { CertrelayError, ErrorCodes } from "../errors.js";
import { resultOf, type CertificateOutcome } from "./log.js";

export interface Alert {
  certificate: string;
  action: string;
  daysLeft?: number;
  reason: "failed" | "critical";
  code?: string;
  message: string;
}

export interface Notification {
  subject: string;
  alerts: Alert[];
}

export interface Notifier {
  /** where it sends, for logs; never the webhook URL itself (it often carries a token) */
  readonly description: string;
  notify(notification: Notification): Promise<void>;
}

/** Failures, and certificates under `criticalDays` that are still not renewed after this run. */
export function alertsFor(outcomes: CertificateOutcome[], criticalDays: number): Alert[] {
  const alerts: Alert[] = [];
  for (const o of outcomes) {
    const days = o.daysLeft === undefined ? {} : { daysLeft: o.daysLeft };
    if (resultOf(o.action) === "failed") {
      alerts.push({
        certificate: o.name,
        action: o.action,
        ...days,
        reason: "failed",
        ...(o.error ? { code: o.error.code } : {}),
        message: o.error?.message ?? "renewal failed",
      });
      continue;
    }
    // `renewed` resets daysLeft to the new certificate's; queued ones are judged by the worker that renews them.
    const stillOld = o.action !== "renewed" && o.action !== "queued";
    if (stillOld && o.daysLeft !== undefined && o.daysLeft < criticalDays) {
      alerts.push({
        certificate: o.name,
        action: o.action,
        ...days,
        reason: "critical",
        message: `${o.daysLeft} day(s) left and not renewed (${o.detail ?? o.action}); it expires before the next runs can be trusted to fix it`,
      });
    }
  }
  return alerts;
}

export function notificationFor(alerts: Alert[], source: string): Notification {
  const failed = alerts.filter((a) => a.reason === "failed").length;
  const critical = alerts.length - failed;
  const parts = [failed > 0 ? `${failed} failed` : "", critical > 0 ? `${critical} close to expiry` : ""].filter(
    (p) => p !== "",
  );
  return { subject: `certrelay ${source}: ${parts.join(", ")}`, alerts };
}

const SNS_SUBJECT_MAX = 100;

export class SnsNotifier implements Notifier {
  readonly description: string;

  constructor(
    /** the client, or a factory so the SNS SDK loads only when there is something to send */
    private readonly client: SNSClient | (() => SNSClient | Promise<SNSClient>),
    private readonly topicArn: string,
  ) {
    this.description = `sns ${topicArn}`;
  }

  async notify(notification: Notification): Promise<void> {
    const { PublishCommand } = await import("@aws-sdk/client-sns");
    const client = typeof this.client === "function" ? await this.client() : this.client;
    await client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        // SNS refuses subjects over 100 characters.
        Subject: notification.subject.slice(0, SNS_SUBJECT_MAX),
        Message: JSON.stringify(notification, null, 2),
      }),
    );
  }
}

export interface WebhookNotifierOptions {
  timeoutMs?: number;
}

export class WebhookNotifier implements Notifier {
  readonly description: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly url: string,
    options: WebhookNotifierOptions = {},
  ) {
    this.description = `webhook ${new URL(url).host}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async notify(notification: Notification): Promise<void> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: notification.subject, ...notification }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.arrayBuffer();
    if (!response.ok) {
      throw new CertrelayError(
        ErrorCodes.HTTP_ERROR,
        `notification webhook (${this.description}) answered ${response.status}; check NOTIFY_WEBHOOK_URL`,
        {
          status: response.status,
          field: "NOTIFY_WEBHOOK_URL",
        },
      );
    }
  }
}

/** Send to every configured notifier; a failing one is reported through `onError`, never thrown. */
export async function notifyAll(
  notifiers: Notifier[],
  notification: Notification,
  onError: (notifier: Notifier, error: unknown) => void,
): Promise<void> {
  await Promise.all(
    notifiers.map(async (n) => {
      try {
        await n.notify(notification);
      } catch (error) {
        onError(n, error);
      }
    }),
  );
}
