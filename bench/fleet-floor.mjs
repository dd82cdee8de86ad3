/**
 * The floor of the fleet bench: the reads a daily run cannot avoid, done by the plainest script, with no certrelay
 * code. Plain node, like the Lambda: `node bench/fleet-floor.mjs <floor.json> <result.json>`.
 * - Secrets Manager: one GetSecretValue (AWSCURRENT) per certificate, `concurrency` at a time;
 * - CDN: the account's certificate list once (signature v2; one GET, the API has no paging);
 * - EnOS: one access token, then one certificate list per device.
 * Each certificate is then judged like a scan does: due, or held by each of its targets.
 */
import { createHash, createHmac, randomBytes, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

const started = performance.now();
const [planFile, outFile] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, "utf8"));

async function pool(items, concurrency, work) {
  let next = 0;
  const results = new Array(items.length);
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, run));
  return results;
}

const sfdDate = (d) => `${d.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
async function cdnGet(url) {
  const { accessKeyId, accessKeySecret } = plan.cdn.credentials;
  const headers = {
    "X-SFD-Date": sfdDate(new Date()),
    "X-SFD-Nonce": (randomBytes(8).readBigUInt64BE() % 10n ** 18n).toString(),
    "X-SFD-Signature-Version": "2",
  };
  const canonical = [["host", url.host], ...Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}:${v}\n`)
    .join("");
  const signature = createHmac("sha256", accessKeySecret)
    .update(`GET\n${url.pathname}${url.search}\n${canonical}\n${accessKeyId}\n`)
    .digest("hex");
  const res = await fetch(url, {
    headers: {
      ...headers,
      Authorization: `HMAC-SHA256 ${accessKeyId}:${signature}`,
      accept: "application/json",
      "content-type": "application/json",
    },
  });
  if (!res.ok) throw new Error(`cdn list: HTTP ${res.status}`);
  return res.json();
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
let lastTimestamp = 0;
const timestamp = () => (lastTimestamp = Math.max(Date.now(), lastTimestamp + 1));
async function enosToken() {
  const { appKey, appSecret } = plan.enos.credentials;
  const ts = timestamp();
  const res = await fetch(new URL("/apim-token-service/v2.0/token/get", plan.enos.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ appKey, encryption: sha256(`${appKey}${ts}${appSecret}`), timestamp: ts }),
  });
  return (await res.json()).data.accessToken;
}
async function enosList(token, assetId) {
  const url = new URL("/connect-service/v2.0/certificates", plan.enos.url);
  url.searchParams.set("action", "list");
  url.searchParams.set("orgId", plan.enos.orgId);
  url.searchParams.set("assetId", assetId);
  const ts = timestamp();
  const params = [...url.searchParams.keys()]
    .sort()
    .map((k) => `${k}${url.searchParams.get(k)}`)
    .join("");
  const res = await fetch(url, {
    headers: {
      "apim-accesstoken": token,
      "apim-timestamp": String(ts),
      "apim-signature": sha256(`${token}${params}${ts}${plan.enos.credentials.appSecret}`),
    },
  });
  const body = await res.json();
  if (body.code !== 0) throw new Error(`enos list: ${body.code}`);
  return body.data;
}

const sm = new SecretsManagerClient({});
const now = Date.now();
const serialOf = (pem) => new X509Certificate(pem).serialNumber.toUpperCase().replace(/^0+(?=.)/, "");

// vendor reads: one per target account
const [cdnSerials, token] = await Promise.all([
  (async () => {
    const serials = new Set();
    for (const r of await cdnGet(new URL("/sfd/v2.0/certs", plan.cdn.url)))
      serials.add(BigInt(r.serialNumber).toString(16).toUpperCase());
    return serials;
  })(),
  enosToken(),
]);

let due = 0;
let drift = 0;
await pool(plan.certificates, plan.concurrency, async (c) => {
  const answer = await sm.send(new GetSecretValueCommand({ SecretId: c.secret }));
  const material = JSON.parse(answer.SecretString);
  const x = new X509Certificate(material.certificate);
  if (Date.parse(x.validTo) - now < plan.renewBeforeDays * 86_400_000) {
    due += 1;
    return;
  }
  const serial = serialOf(material.certificate);
  if (c.cdn && !cdnSerials.has(serial)) drift += 1;
  if (c.enosDevice) {
    const held = await enosList(token, c.enosDevice);
    if (!held.some((h) => h.certStatus === 0 && serialOf(h.cert) === serial)) drift += 1;
  }
});
sm.destroy();
writeFileSync(
  outFile,
  JSON.stringify({ wallMs: performance.now() - started, due, drift, maxRssKiB: process.resourceUsage().maxRSS }),
);
