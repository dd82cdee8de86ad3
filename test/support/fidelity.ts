/**
 * Request-shape checks for the vendor fidelity tests: a sandbox records what certrelay sends
 * (`SandboxServer.recording`), and each request is compared with the call as the vendor documents it: method,
 * path, query parameter names, body field names and JSON types, and required headers. docs/vendors.md names the
 * page each documented shape comes from.
 */
import type { RecordedRequest } from "../../src/sandbox/server.js";

export type JsonType = "string" | "integer" | "number" | "boolean" | "array" | "object";

export interface DocumentedCall {
  method: string;
  /** `:name` segments match one path segment */
  path: string;
  /** query values that select this call among several on one path (EnOS `action=apply`) */
  match?: Readonly<Record<string, string>>;
  /** every query parameter the call may carry */
  query?: readonly string[];
  /** query parameters it must carry */
  requiredQuery?: readonly string[];
  /** JSON body fields and their types; `multipart` lists form field names instead */
  body?: Readonly<Record<string, JsonType>>;
  requiredBody?: readonly string[];
  multipart?: readonly string[];
  /** headers every such request must carry, with the value they must match */
  headers?: Readonly<Record<string, RegExp>>;
}

function typeOf(value: unknown): JsonType | "null" {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value as JsonType;
}

function pathMatches(pattern: string, path: string): boolean {
  const source = pattern
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}$`).test(path);
}

async function multipartFields(request: RecordedRequest): Promise<string[]> {
  const contentType = String(request.headers["content-type"] ?? "");
  const form = await new Response(request.body, { headers: { "content-type": contentType } }).formData();
  return [...new Set(form.keys())];
}

/** Every way `recorded` departs from `documented` (empty when each request matches a documented call). */
export async function fidelityProblems(
  recorded: readonly RecordedRequest[],
  documented: readonly DocumentedCall[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const request of recorded) {
    const where = `${request.method} ${request.path}`;
    const call = documented.find(
      (d) =>
        d.method === request.method &&
        pathMatches(d.path, request.path) &&
        Object.entries(d.match ?? {}).every(([k, v]) => request.query[k] === v),
    );
    if (!call) {
      problems.push(`${where}: not a documented call`);
      continue;
    }
    for (const name of Object.keys(request.query)) {
      if (!(call.query ?? []).includes(name)) problems.push(`${where}: undocumented query parameter ${name}`);
    }
    for (const name of call.requiredQuery ?? [])
      if (!(name in request.query)) problems.push(`${where}: missing query parameter ${name}`);
    for (const [name, pattern] of Object.entries(call.headers ?? {})) {
      const value = request.headers[name];
      if (typeof value !== "string" || !pattern.test(value))
        problems.push(`${where}: header ${name} is ${value === undefined ? "missing" : `'${String(value)}'`}`);
    }
    if (call.multipart) {
      const fields = await multipartFields(request);
      for (const f of fields) if (!call.multipart.includes(f)) problems.push(`${where}: undocumented form field ${f}`);
      for (const f of call.multipart) if (!fields.includes(f)) problems.push(`${where}: missing form field ${f}`);
      continue;
    }
    if (request.body === "") {
      if ((call.requiredBody ?? []).length > 0) problems.push(`${where}: no body`);
      continue;
    }
    if (!call.body) {
      problems.push(`${where}: sends a body the call does not take`);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body);
    } catch {
      problems.push(`${where}: body is not JSON`);
      continue;
    }
    if (typeOf(parsed) !== "object") {
      problems.push(`${where}: body is not a JSON object`);
      continue;
    }
    const fields = parsed as Record<string, unknown>;
    for (const [name, value] of Object.entries(fields)) {
      const want = call.body[name];
      const got = typeOf(value);
      if (!want) problems.push(`${where}: undocumented body field ${name}`);
      else if (got !== want && !(want === "number" && got === "integer"))
        problems.push(`${where}: body field ${name} is ${got}, documented ${want}`);
    }
    for (const name of call.requiredBody ?? [])
      if (!(name in fields)) problems.push(`${where}: missing body field ${name}`);
  }
  return problems;
}
