/**
 * `certrelay inspect <file|->`: what a PEM bundle holds, before anyone deploys it. Every certificate's facts, the
 * chain in the order it links (each link's signature checked), and whether a private key in the bundle belongs
 * to the leaf. Reads only; never prints key material.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { CertrelayError, type ErrorCode, ErrorCodes } from "../../errors.js";
import { systemClock, type Clock } from "../../model.js";
import {
  certFacts,
  expireInDays,
  issuedBy,
  keyMatches,
  orderChain,
  readPrivateKey,
  splitPem,
  CERTIFICATE_TYPES,
  type CertFacts,
} from "../../x509/index.js";
import { usageError } from "../context.js";
import { renderFacts, renderTable, shortSerial, type CliIo } from "../output.js";

export interface InspectedCertificate {
  /** 1-based position in the file */
  position: number;
  role: "leaf" | "intermediate" | "root" | "foreign";
  subject: string;
  commonName: string;
  sans: string[];
  issuer: string;
  serial: string;
  serialDecimal: string;
  fingerprint256: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  isCA: boolean;
  key: string;
}

export interface InspectResult {
  source: string;
  certificates: InspectedCertificate[];
  chain: {
    /** positions in linking order, leaf first */
    order: number[];
    /** the file lists the chain in linking order */
    inOrder: boolean;
    /** every given certificate links to the leaf's path */
    complete: boolean;
    links: Array<{ from: number; to: number; ok: boolean }>;
    foreign: number[];
  };
  privateKey?: { type: string; matchesLeaf: boolean };
  /** what makes this bundle fail on a client or target, each with its code and fix (exit 1 when any) */
  problems: Array<{ code: ErrorCode; message: string }>;
}

function keyText(f: CertFacts): string {
  if (f.keyType === "rsa") return `RSA ${f.keyBits ?? "?"}`;
  if (f.keyType === "ec") return `EC ${f.curve ?? ""}`.trim();
  return "other";
}

async function readSource(source: string): Promise<string> {
  if (source === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await readFile(source, "utf8");
  } catch (error) {
    // a named file that is not there is the same usage error in every command (check -c missing.yml too)
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw usageError(
      missing ? ErrorCodes.INPUT_MISSING : ErrorCodes.INPUT_INVALID,
      `${source} ${missing ? "not found" : "cannot be read"}: give the path of a PEM file, or - for stdin`,
      { field: "file" },
    );
  }
}

export function inspectBundle(text: string, source: string, now: Date): InspectResult {
  const blocks = splitPem(text, source);
  const certs: Array<{ position: number; facts: CertFacts }> = [];
  let keyPem: string | undefined;
  blocks.forEach((block, index) => {
    if (CERTIFICATE_TYPES.has(block.type))
      certs.push({ position: index + 1, facts: certFacts(block.pem, `${source} block ${index + 1}`) });
    else if (block.type.includes("PRIVATE KEY")) keyPem ??= block.pem;
  });
  if (certs.length === 0) {
    throw new CertrelayError(
      ErrorCodes.PEM_WRONG_TYPE,
      `${source} holds no "-----BEGIN CERTIFICATE-----" block: give a certificate or a bundle (leaf, chain, optionally the key)`,
      { field: source },
    );
  }
  // The leaf is the first non-CA certificate; a bundle of CA certificates only is inspected from its first one.
  const leaf = certs.find((c) => !c.facts.isCA) ?? (certs[0] as { position: number; facts: CertFacts });
  const others = certs.filter((c) => c !== leaf);
  const ordered = orderChain(
    leaf.facts,
    others.map((c) => c.facts),
    source,
  );
  const positionOf = (f: CertFacts) => certs.find((c) => c.facts === f)?.position ?? 0;
  const path = [leaf.facts, ...ordered.ordered];
  const links = path.slice(1).map((issuer, i) => {
    const subject = path[i] as CertFacts;
    return { from: positionOf(subject), to: positionOf(issuer), ok: issuedBy(subject, issuer) };
  });
  const foreign = ordered.foreign.map(positionOf);
  const order = path.map(positionOf);
  // the file's own order: a leaf listed after its chain is out of order too
  const givenOrder = certs.filter((c) => !foreign.includes(c.position)).map((c) => c.position);

  const certificates = certs.map(({ position, facts }): InspectedCertificate => {
    const role: InspectedCertificate["role"] = foreign.includes(position)
      ? "foreign"
      : position === leaf.position
        ? "leaf"
        : facts.selfSigned
          ? "root"
          : "intermediate";
    return {
      position,
      role,
      subject: facts.subject,
      commonName: facts.commonName,
      sans: facts.sans,
      issuer: facts.issuer,
      serial: facts.serial,
      serialDecimal: facts.serialDecimal,
      fingerprint256: facts.fingerprint256,
      notBefore: facts.notBefore.toISOString(),
      notAfter: facts.notAfter.toISOString(),
      daysLeft: expireInDays(facts.notAfter, now),
      isCA: facts.isCA,
      key: keyText(facts),
    };
  });

  const result: InspectResult = {
    source,
    certificates,
    chain: {
      order,
      inOrder: givenOrder.join() === order.join(),
      complete: ordered.complete && foreign.length === 0,
      links,
      foreign,
    },
    problems: [],
  };
  if (keyPem !== undefined) {
    const { key } = readPrivateKey(keyPem, `${source} private key`);
    const matches = keyMatches(leaf.facts, key);
    const type =
      key.asymmetricKeyType === "rsa"
        ? `RSA ${key.asymmetricKeyDetails?.modulusLength ?? ""}`.trim()
        : `${key.asymmetricKeyType ?? "unknown"} ${key.asymmetricKeyDetails?.namedCurve ?? ""}`.trim();
    result.privateKey = { type, matchesLeaf: matches };
  }
  result.problems = problemsOf(result, givenOrder);
  return result;
}

/**
 * What a user must fix before deploying this bundle. Order counts: TLS 1.2 (RFC 5246 7.4.2) requires each
 * certificate to be followed by its issuer; browsers reorder, but strict clients and appliances refuse such a chain.
 */
function problemsOf(result: InspectResult, givenOrder: number[]): InspectResult["problems"] {
  const { chain, source } = result;
  const list = (positions: number[]) => positions.map((p) => `#${p}`).join(", ");
  const problems: InspectResult["problems"] = [];
  for (const link of chain.links.filter((l) => !l.ok))
    problems.push({
      code: ErrorCodes.CHAIN_INCOMPLETE,
      message: `${source}: #${link.to} did not sign #${link.from}; put the certificate that issued #${link.from} in the bundle`,
    });
  if (chain.foreign.length > 0)
    problems.push({
      code: ErrorCodes.CHAIN_FOREIGN,
      message: `${source}: ${list(chain.foreign)} ${chain.foreign.length === 1 ? "is" : "are"} not part of the leaf's chain; remove ${chain.foreign.length === 1 ? "it" : "them"} from the bundle`,
    });
  if (!chain.inOrder)
    problems.push({
      code: ErrorCodes.CHAIN_ORDER,
      message: `${source} lists the chain as ${list(givenOrder)} but it links as ${list(chain.order)}; strict TLS clients refuse it: reorder the file leaf first, each certificate followed by its issuer (${list(chain.order)})`,
    });
  if (result.privateKey?.matchesLeaf === false)
    problems.push({
      code: ErrorCodes.KEY_MISMATCH,
      message: `${source}: the private key does not belong to the leaf (#${chain.order[0] ?? 1}); put the leaf's own key in the bundle`,
    });
  return problems;
}

function printInspect(result: InspectResult, io: CliIo): void {
  const c = io.colors;
  const days = (n: number) => (n < 0 ? c.red(`expired ${-n} days ago`) : n <= 30 ? c.yellow(String(n)) : String(n));
  const leaf = result.certificates.find((x) => x.role === "leaf") ?? result.certificates[0];
  if (leaf) {
    io.out(c.bold(`${leaf.role === "leaf" ? "Leaf" : "First"} certificate (#${leaf.position} in ${result.source})`));
    io.out(
      renderFacts([
        ["subject", leaf.subject],
        ["SANs", leaf.sans.join(", ") || "-"],
        ["issuer", leaf.issuer],
        ["serial (hex)", leaf.serial],
        ["serial (decimal)", leaf.serialDecimal],
        ["not before", leaf.notBefore],
        ["not after", leaf.notAfter],
        ["days left", days(leaf.daysLeft)],
        ["key", leaf.key],
        ["SHA-256", leaf.fingerprint256],
      ]),
    );
  }
  const byPosition = new Map(result.certificates.map((x) => [x.position, x]));
  const linkTo = new Map(result.chain.links.map((l) => [l.to, l.ok]));
  const ordered = [...result.chain.order, ...result.chain.foreign];
  io.out(
    c.bold(`Chain, in linking order${result.chain.inOrder ? "" : c.yellow(" (the file lists it in another order)")}`),
  );
  io.out(
    renderTable(
      ["#", "role", "subject CN", "issuer", "serial", "not after", "days left", "signed the one above"],
      ordered.map((position) => {
        const x = byPosition.get(position) as InspectedCertificate;
        const link = linkTo.get(position);
        return [
          position,
          x.role,
          x.commonName || x.subject,
          x.issuer.replace(/^.*CN=/, ""),
          shortSerial(x.serial, 20),
          x.notAfter.slice(0, 10),
          days(x.daysLeft),
          x.role === "leaf"
            ? "-"
            : x.role === "foreign"
              ? c.red("not part of this chain")
              : link
                ? c.green("yes, signature verifies")
                : c.red("no"),
        ];
      }),
      { compact: true, align: ["right", "left", "left", "left", "left", "left", "right", "left"] },
    ),
  );
  if (result.chain.order.length === 1 && result.chain.foreign.length === 0)
    io.out(c.yellow("no chain in this file: most targets need the intermediate certificate too"));
  if (result.privateKey) {
    io.out(
      `private key: ${result.privateKey.type}, ${result.privateKey.matchesLeaf ? c.green("matches the leaf") : c.red("does NOT match the leaf")}`,
    );
  }
}

export function registerInspect(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
  clock: Clock = systemClock,
): void {
  program
    .command("inspect")
    .description("show what a PEM bundle holds: certificates, chain order (each link checked), key match")
    .argument("<file>", "PEM file (certificate, chain, optionally the key), or - for stdin")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nExample:\n  $ certrelay inspect fullchain.pem\n  $ cat cert.pem chain.pem key.pem | certrelay inspect - --json",
    )
    .action(async (file: string, flags: { json?: boolean }) => {
      const result = inspectBundle(await readSource(file), file === "-" ? "stdin" : file, clock());
      if (flags.json) io.out(JSON.stringify(result, null, 2));
      else printInspect(result, io);
      // a bundle a strict client refuses is a certificate problem (exit 1), order included: scripts gate on it
      for (const problem of result.problems) io.err(`${io.colors.red("error")} ${problem.code}: ${problem.message}`);
      setExit(result.problems.length > 0 ? 1 : 0);
    });
}
