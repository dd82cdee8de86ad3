/**
 * Glue between moto (Route53's API, which serves no DNS) and pebble-challtestsrv (the DNS server Pebble's
 * validator asks): a loopback HTTP proxy that the Route53 client talks to instead of moto. Every request goes to
 * moto unchanged; after a ChangeResourceRecordSets, the TXT record sets it named are read back from moto and copied
 * into challtestsrv before the answer returns, so a record is resolvable exactly when Route53 would call it INSYNC.
 * `tamper` publishes something other than what certrelay wrote (the "wrong TXT" case).
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { collectAnswer, readBody, type ProxiedAnswer } from "../server.js";

export interface DnsBridge {
  /** point the Route53 client here */
  endpoint: string;
  /** when set, challtestsrv serves these values instead of the ones in moto */
  tamper: ((fqdn: string, values: string[]) => string[]) | undefined;
  /** ChangeResourceRecordSets calls seen */
  readonly changes: number;
  stop(): Promise<void>;
}

export interface DnsBridgeOptions {
  motoEndpoint: string;
  setTxt(host: string, values: string[]): Promise<void>;
}

type Forwarded = ProxiedAnswer;

function forward(
  target: URL,
  method: string,
  path: string,
  headers: IncomingMessage["headers"],
  body: Buffer,
): Promise<Forwarded> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, method, path, headers: { ...headers, host: target.host } },
      collectAnswer(resolve, reject),
    );
    req.on("error", reject);
    req.end(body);
  });
}

const xmlValues = (xml: string, tag: string): string[] =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => m[1] ?? "");
const unquote = (value: string) => value.replace(/^(&quot;|")|(&quot;|")$/g, "");

export async function startDnsBridge(options: DnsBridgeOptions): Promise<DnsBridge> {
  const moto = new URL(options.motoEndpoint);
  const sockets = new Set<Socket>();
  let changes = 0;
  const bridge: DnsBridge = {
    endpoint: "",
    tamper: undefined,
    get changes() {
      return changes;
    },
    stop: async () => undefined,
  };

  /** Copy the TXT record sets named in a change batch from moto into challtestsrv. */
  async function mirror(zonePath: string, batch: string, authorization: string | undefined): Promise<void> {
    const names = new Set<string>();
    for (const set of batch.split("<ResourceRecordSet>").slice(1)) {
      if (xmlValues(set, "Type")[0] !== "TXT") continue;
      const name = xmlValues(set, "Name")[0];
      if (name) names.add(name.endsWith(".") ? name : `${name}.`);
    }
    for (const name of names) {
      const query = new URLSearchParams({ name, type: "TXT", maxitems: "1" });
      // moto routes by the service named in the signature, so the read carries the change's authorization header
      const answer = await forward(
        moto,
        "GET",
        `${zonePath}?${query.toString()}`,
        authorization ? { authorization } : {},
        Buffer.alloc(0),
      );
      const xml = answer.body.toString("utf8");
      const first = xml.split("<ResourceRecordSet>")[1] ?? "";
      const found =
        (xmlValues(first, "Name")[0] ?? "").replace(/\.?$/, ".") === name && xmlValues(first, "Type")[0] === "TXT";
      const values = found ? xmlValues(first, "Value").map(unquote) : [];
      await options.setTxt(name, bridge.tamper && values.length > 0 ? bridge.tamper(name, values) : values);
    }
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const answer = await forward(moto, req.method ?? "GET", req.url ?? "/", req.headers, body);
        const change = /^(\/2013-04-01\/hostedzone\/[^/]+\/rrset)\/?$/.exec((req.url ?? "").split("?")[0] ?? "");
        if (req.method === "POST" && change?.[1] && answer.status === 200) {
          changes += 1;
          await mirror(change[1], body.toString("utf8"), req.headers.authorization);
        }
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      } catch (error) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`dns bridge: ${error instanceof Error ? error.message : String(error)}`);
      }
    })();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  bridge.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  bridge.stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return bridge;
}
