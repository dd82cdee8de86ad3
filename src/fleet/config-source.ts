/**
 * Where the Lambda finds certrelay.yml, first match wins:
 * 1. CERTRELAY_CONFIG_YAML: the YAML itself (small fleets, or a config rendered by the deploy pipeline);
 * 2. CERTRELAY_CONFIG: `ssm:/parameter/name`, `s3://bucket/key`, or a path (relative paths are resolved against
 *    the task root);
 * 3. certrelay.yml bundled with the function (task root, then next to the handler).
 */
import { access } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { loadConfig, parseConfig, type CertrelayConfig } from "../config/index.js";
import { CertrelayError, ErrorCodes } from "../errors.js";
import {
  awsRemoteConfigReader,
  describeLocation,
  parseRemoteLocation,
  type RemoteConfigReader,
} from "./remote-config.js";

export interface ConfigSourceOptions {
  /** CERTRELAY_CONFIG_YAML */
  inlineYaml?: string | undefined;
  /** CERTRELAY_CONFIG */
  path?: string | undefined;
  /** directory relative paths resolve against (LAMBDA_TASK_ROOT, else the working directory) */
  root: string;
  /** where a bundled certrelay.yml may sit, in order */
  bundledPaths: string[];
  /** reads `ssm:` and `s3://` locations; default: the AWS SDK with the Lambda's environment */
  remote?: RemoteConfigReader;
}

export interface LoadedConfig {
  config: CertrelayConfig;
  /** for logs: `CERTRELAY_CONFIG_YAML` or the file path */
  source: string;
}

export async function loadFleetConfig(options: ConfigSourceOptions): Promise<LoadedConfig> {
  if (options.inlineYaml !== undefined && options.inlineYaml.trim() !== "") {
    return { config: await parseConfig(options.inlineYaml, "CERTRELAY_CONFIG_YAML"), source: "CERTRELAY_CONFIG_YAML" };
  }
  if (options.path !== undefined && options.path.trim() !== "") {
    const remote = parseRemoteLocation(options.path.trim());
    if (remote) {
      const source = describeLocation(remote);
      const text = await (options.remote ?? awsRemoteConfigReader()).read(remote);
      return { config: await parseConfig(text, source), source };
    }
    const path = isAbsolute(options.path) ? options.path : join(options.root, options.path);
    return { config: await loadConfig(path), source: path };
  }
  // the task root and the handler's folder are one directory when the handler sits at the root (lambda-local with
  // dist/lambda/ as root, a zip with the bundle at its top): look there, and say so, once
  const bundledPaths = [...new Set(options.bundledPaths)];
  for (const candidate of bundledPaths) {
    if (await exists(candidate)) return { config: await loadConfig(candidate), source: candidate };
  }
  throw new CertrelayError(
    ErrorCodes.INPUT_MISSING,
    `no certrelay.yml found (looked in ${bundledPaths.join(", ")}); bundle one with the function, or set CERTRELAY_CONFIG (a path, ssm:/name or s3://bucket/key) or CERTRELAY_CONFIG_YAML (the YAML)`,
    { field: "CERTRELAY_CONFIG" },
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
