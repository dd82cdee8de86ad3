/**
 * `certrelay csr`: a fresh key and a CSR for it, the way the pipeline makes them (RSA-2048 or P-256). The key file
 * is created 0600 and never overwritten: losing the key of a certificate already ordered means buying again.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { ErrorCodes } from "../../errors.js";
import type { KeyType } from "../../model.js";
import { generateKeyAndCsr } from "../../x509/index.js";
import { usageError } from "../context.js";
import type { CliIo } from "../output.js";

interface CsrFlags {
  type: KeyType;
  cn: string;
  san: string[];
  out: string;
  json?: boolean;
}

const DNS_NAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A DNS name (wildcard allowed) of at most 253 characters, or an IP address. */
export function isValidName(name: string): boolean {
  return isIP(name) !== 0 || (name.length <= 253 && DNS_NAME.test(name));
}

/** `*.example.com` -> `wildcard.example.com`: a file name every shell and OS accepts. */
export function fileStem(commonName: string): string {
  return commonName.replace(/^\*\./, "wildcard.").replace(/[^A-Za-z0-9._-]/g, "_");
}

async function writeNew(path: string, text: string, mode: number): Promise<void> {
  try {
    await writeFile(path, text, { flag: "wx", mode });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      throw usageError(
        ErrorCodes.INPUT_INVALID,
        `${path} already exists; move it away or choose another --out directory (certrelay never overwrites a key)`,
        { field: "out" },
      );
    }
    throw usageError(ErrorCodes.INPUT_INVALID, `${path} cannot be written (${code ?? "error"}): check --out`, {
      field: "out",
    });
  }
  // the umask may have taken bits away from `mode`; make it exact
  await chmod(path, mode);
}

export function registerCsr(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("csr")
    .description("generate a private key and a certificate signing request")
    .addOption(new Option("--type <type>", "key type").choices(["rsa", "ecc"]).default("rsa"))
    .requiredOption("--cn <name>", "common name, e.g. www.example.com")
    .option("--san <name...>", "subject alternative names (default: the common name)", [])
    .option("--out <dir>", "directory for <cn>.key (mode 0600) and <cn>.csr", ".")
    .option("--json", "print the written paths as JSON")
    .addHelpText(
      "after",
      "\nExample:\n  $ certrelay csr --type ecc --cn www.example.com --san www.example.com example.com --out ./keys",
    )
    .action(async (flags: CsrFlags) => {
      const sans = flags.san.length > 0 ? flags.san : [flags.cn];
      // a name no CA will issue for is a usage error here, not a CSR the CA refuses days later
      for (const [flag, name] of [["--cn", flags.cn], ...sans.map((n) => ["--san", n] as const)] as const) {
        if (!isValidName(name)) {
          throw usageError(
            ErrorCodes.INPUT_INVALID,
            `${flag} expects a DNS name like www.example.com (or *.example.com, or an IP address); letters, digits, - and . only`,
            { field: flag.slice(2) },
          );
        }
      }
      const generated = await generateKeyAndCsr({ keyType: flags.type, commonName: flags.cn, sans });
      const dir = resolve(flags.out);
      await mkdir(dir, { recursive: true });
      const stem = fileStem(flags.cn);
      const keyPath = join(dir, `${stem}.key`);
      const csrPath = join(dir, `${stem}.csr`);
      await writeNew(keyPath, generated.privateKey, 0o600);
      await writeNew(csrPath, generated.csr, 0o644);
      if (flags.json) {
        io.out(
          JSON.stringify({ keyType: flags.type, commonName: flags.cn, sans, key: keyPath, csr: csrPath }, null, 2),
        );
      } else {
        io.out(`${io.colors.green("wrote")} ${keyPath} (private key, mode 0600: keep it secret)`);
        io.out(`${io.colors.green("wrote")} ${csrPath} (send this to your CA)`);
      }
      setExit(0);
    });
}
