import "reflect-metadata";

// The AWS SDK warns on every client that its 2027 releases need Node 22 (TOOLCHAIN.md); known, and pure noise in
// test output. Every other warning still prints.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text =
    typeof warning === "string" ? `${warning} ${String(rest[0] ?? "")}` : `${warning.name} ${warning.message}`;
  if (text.includes("NodeVersionSupportWarning")) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
