import { afterAll, beforeAll, expect, test } from "vitest";
import { HttpClient } from "../src/http/index.js";
import { answer, recordingSleep, startTestServer, type TestServer } from "./support/http-server.js";

let server: TestServer;
beforeAll(async () => void (server = await startTestServer()));
afterAll(async () => server.close());

test("a FormData body arrives as multipart/form-data with its fields and file intact", async () => {
  server.handle(() => answer(200, { uploaded: true }));
  const signedBodies: (string | undefined)[] = [];
  const http = new HttpClient({
    baseUrl: server.url,
    vendor: "test",
    sleep: recordingSleep().sleep,
    sign: ({ body }) => {
      signedBodies.push(body);
      return {};
    },
  });
  try {
    const form = new FormData();
    form.append("name", "pbx-cert");
    form.append(
      "file",
      new Blob(["-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n"], { type: "application/x-pem-file" }),
      "cert.pem",
    );
    // A caller's content-type must not clobber the boundary.
    const res = await http.request({
      method: "POST",
      path: "/upload",
      body: form,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.body).toEqual({ uploaded: true });

    const received = server.requests[0];
    const contentType = String(received?.headers["content-type"]);
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const parsed = await new Response(received?.body, { headers: { "content-type": contentType } }).formData();
    expect(parsed.get("name")).toBe("pbx-cert");
    const file = parsed.get("file") as File;
    expect(file.name).toBe("cert.pem");
    expect(await file.text()).toContain("BEGIN CERTIFICATE");
    expect(signedBodies[0]).toContain('name="file"; filename="cert.pem"');
  } finally {
    await http.close();
  }
});
