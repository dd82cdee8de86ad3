import { startSandboxChild } from "./lib.js";
import { SfdClient } from "../src/providers/cdn/client.js";
import { benchContext } from "./bench-context.js";
import pLimit from "p-limit";
import { Agent } from "undici";
import { signRequest } from "../src/providers/cdn/signature.js";
const c = await startSandboxChild(10000);
const { url, credentials, firstId } = c.info.cdn;
const client = new SfdClient({ endpoint: url, key: credentials, ctx: benchContext() });
const limit = pLimit(16);
for (let r = 0; r < 2; r++) {
  const t = performance.now();
  await Promise.all(Array.from({ length: 10000 }, (_, i) => limit(() => client.getCertificate(firstId + i))));
  console.log("client p16", (10000 / (performance.now() - t) * 1000).toFixed(0), "/s");
}
for (const conns of [8, 16]) {
  const agent = new Agent({ connections: conns });
  const t = performance.now();
  await Promise.all(Array.from({ length: 10000 }, (_, i) => limit(async () => {
    const u = new URL(`/sfd/v2.0/certs/${firstId + i}`, url);
    const h = signRequest({ method: "GET", url: u, headers: {}, body: undefined }, credentials, new Date());
    const res = await agent.request({ origin: u.origin, path: u.pathname, method: "GET", headers: { ...h, accept: "application/json" } });
    return JSON.parse(await res.body.text());
  })));
  console.log("bare undici", conns, (10000 / (performance.now() - t) * 1000).toFixed(0), "/s");
  await agent.close();
}
await client.close();
await c.stop();
