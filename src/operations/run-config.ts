/**
 * Run the whole pipeline over a certrelay.yml: every certificate, every target. Credentials and certificate
 * material come from a file store directory (one JSON file per secret id, written by `certrelay store put` or a
 * workflow step from repository secrets), so the config file itself never holds a secret.
 */
import { loadConfig } from "../config/index.js";
import { runPipeline } from "../pipeline/index.js";
import { builtInCatalog, providerCatalog } from "../providers/catalog.js";
import { builtInProviders } from "../providers/index.js";
import { StoreBackedProviders } from "../providers/registry.js";
import { FileStore } from "../store/file-store.js";
import { rowsFromReport } from "./rows.js";
import { providerContext, type OperationDeps, type OperationResult } from "./types.js";

export interface ConfigRunRequest {
  configPath: string;
  storeDir: string;
  dryRun: boolean;
}

export async function runConfigFile(request: ConfigRunRequest, deps: OperationDeps): Promise<OperationResult> {
  // the built-in catalog is made once per process; a longer list (a test's extra provider) gets its own
  const catalog =
    deps.providers && deps.providers !== builtInProviders ? providerCatalog(deps.providers) : builtInCatalog();
  const config = await loadConfig(request.configPath, catalog);
  const store = new FileStore({ dir: request.storeDir });
  const ctx = providerContext(deps);
  const providers = new StoreBackedProviders(
    store,
    config.httpTimeoutMs && deps.timeoutMs === undefined ? { ...ctx, timeoutMs: config.httpTimeoutMs } : ctx,
    catalog,
  );
  try {
    const summary = await runPipeline(config, {
      store,
      providers,
      clock: deps.clock,
      logger: deps.logger,
      dryRun: request.dryRun,
      deadline: deps.deadline,
    });
    const rows = summary.reports.flatMap(rowsFromReport);
    const changed = summary.reports.some((r) => r.action === "renewed" || r.action === "deployed");
    const failed = summary.reports.filter((r) => r.action === "failed");
    const pending = summary.reports.filter((r) => r.action === "pending");
    const wouldWrite = summary.reports.some((r) => r.action === "would-renew" || r.action === "would-deploy");
    const counts = Object.entries(summary.counts)
      .filter(([, n]) => n > 0)
      .map(([action, n]) => `${n} ${action}`)
      .join(", ");
    const message =
      failed.length > 0
        ? `${failed.length} of ${summary.reports.length} certificates failed: ${failed.map((r) => `${r.name} (${r.error?.code ?? "error"}: ${r.error?.message ?? "see the summary"})`).join("; ")}`
        : `${summary.reports.length} certificates: ${counts}`;
    return {
      operation: "deploy",
      provider: "config",
      target: request.configPath,
      // a dry run says what a real run would do: a renewal would be deployed too, so both read would-deploy (the
      // status values the Action documents); its message still counts would-renew and would-deploy apart
      status:
        failed.length > 0
          ? "failed"
          : changed
            ? "deployed"
            : pending.length > 0
              ? "pending"
              : wouldWrite
                ? "would-deploy"
                : "unchanged",
      changed,
      ok: summary.ok,
      ...(summary.ok ? {} : { errorCode: failed[0]?.error?.code ?? "FAILED" }),
      message,
      warnings: [
        ...pending.map(
          (r) => `${r.name}: issuance pending (${r.detail ?? "waiting on the issuer"}); the next run collects it`,
        ),
        // a renewal that waits because its certificate is not due (a failed forced run left it), or that another run holds
        ...summary.reports
          .filter((r) => r.action !== "pending" && (r.pending || r.action === "skipped"))
          .map((r) => `${r.name}: ${r.detail ?? "renewal in progress"}`),
      ],
      rows,
    };
  } finally {
    await providers.close();
  }
}
