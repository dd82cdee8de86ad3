import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createYeastarTarget } from "../src/providers/yeastar/index.js";
import type { DeployedCertificate, Target } from "../src/model.js";
import { startYeastarFixture, type YeastarFixture } from "./support/yeastar.js";

const LIST_PATH = "/openapi/v1.0/certificate/list";
const LIST = `GET ${LIST_PATH}`;
const UPLOAD = "POST /openapi/v1.0/certificate/upload";
const CREATE = "POST /openapi/v1.0/certificate/create";

async function collect(target: Target): Promise<DeployedCertificate[]> {
  const out: DeployedCertificate[] = [];
  for await (const c of target.list()) out.push(c);
  return out;
}

describe("reads from the PBX survive 5xx and dropped connections; writes are never repeated", () => {
  let f: YeastarFixture;
  let serial: string;
  beforeAll(async () => {
    f = await startYeastarFixture();
    const material = await f.ca.issue({ commonName: "faults.example.com", days: 90 });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    serial = (await target.deploy(material)).serial;
    await target.close();
  });
  afterAll(async () => {
    await f.sandbox.stop();
  });
  beforeEach(() => {
    f.sandbox.faults.clear();
    f.sandbox.resetStats();
  });

  it("retries a 503 on the list and returns the full list", async () => {
    f.sandbox.faults.add({ fault: { kind: "status", status: 503 }, method: "GET", path: LIST_PATH, times: 2 });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      expect((await collect(target)).map((c) => c.serial)).toEqual([serial]);
      expect(f.sandbox.count(LIST)).toBe(3);
      expect(f.sandbox.stats().faults).toMatchObject({ status: 2 });
    } finally {
      await target.close();
    }
  });

  it("retries a GET whose connection was dropped", async () => {
    f.sandbox.faults.add({ fault: { kind: "drop" }, method: "GET", path: LIST_PATH, times: 1 });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      expect((await collect(target)).map((c) => c.serial)).toEqual([serial]);
      expect(f.sandbox.count(LIST)).toBe(2);
    } finally {
      await target.close();
    }
  });

  it("gives up with a clear error when the list keeps failing", async () => {
    f.sandbox.faults.add({ fault: { kind: "status", status: 500 }, method: "GET", path: LIST_PATH, times: Infinity });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      await expect(collect(target)).rejects.toMatchObject({ vendor: "yeastar", status: 500, code: "HTTP_ERROR" });
      expect(f.sandbox.count(LIST)).toBe(4);
    } finally {
      await target.close();
    }
  });

  it("a 503 on upload is not retried (create must follow the upload that worked)", async () => {
    const material = await f.ca.issue({ commonName: "upload503.example.com", days: 90 });
    f.sandbox.faults.add({
      fault: { kind: "status", status: 503 },
      method: "POST",
      path: "/openapi/v1.0/certificate/upload",
      times: 1,
    });
    const target = createYeastarTarget({ endpoint: f.sandbox.url }, f.sandbox.credentials, f.ctx);
    try {
      await expect(target.deploy(material)).rejects.toMatchObject({ vendor: "yeastar", status: 503 });
      // nothing consumed the failed upload: no create, no in-place update
      const writes = () => f.sandbox.count(CREATE) + f.sandbox.count("POST /openapi/v1.0/certificate/update");
      expect(f.sandbox.count(UPLOAD)).toBe(1);
      expect(writes()).toBe(0);
      // the next run uploads again and completes
      const done = await target.deploy(material);
      expect(done.changed).toBe(true);
      expect(f.sandbox.count(UPLOAD)).toBe(2);
      expect(writes()).toBe(1);
    } finally {
      await target.close();
    }
  });
});
