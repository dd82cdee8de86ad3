/** `npm start`: the demo tour (see run.ts). */
import "reflect-metadata";
import { runDemo } from "./run.js";

try {
  process.exitCode = await runDemo();
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
