/** Result shapes more than one apply builds (the generic issuer apply and a vendor's own apply). */
import type { OperationResult } from "./types.js";

/** An order still pending after the poll window: not a failure, to be collected by a later run. */
export function pendingResult(
  provider: string,
  label: string,
  orderId: string,
  detail: string,
  privateKey: string | undefined,
  hint: string,
): OperationResult {
  const warning = `order ${orderId} at ${label} is still pending (${detail}); ${hint}`;
  return {
    operation: "apply",
    provider,
    target: label,
    status: "pending",
    changed: true,
    ok: true,
    message: warning,
    certificateId: orderId,
    orderId,
    ...(privateKey ? { privateKey } : {}),
    warnings: [warning],
    rows: [{ target: label, certificateId: orderId, result: "pending", detail }],
  };
}
