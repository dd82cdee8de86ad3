/** The documented example config; tests derive broken variants from it by replacing one line. */
export const exampleConfig = `renewBeforeDays: 30
certificates:
  - name: www
    secret: certrelay/www
    commonName: www.example.com
    sans: [www.example.com]
    keyType: rsa
    renewBeforeDays: 10
    issuer: { provider: reseller, endpoint: "https://reseller.example", credentials: certrelay/reseller, certificateId: "42", plan: "3f7830c3-3fa4-404d-908f-35daaa1cd17b", dcvType: DNS }
    targets:
      - { provider: cdn, endpoint: "https://cdn.example:4000", credentials: certrelay/cdn, verifyHost: www.example.com, serviceId: "7" }
      - { provider: yeastar, endpoint: "https://pbx:8088", credentials: certrelay/pbx, certificateType: server, pruneOld: false }
  - name: meter-17
    secret: certrelay/meter-17
    issuer: { provider: enos, endpoint: "https://apigw.example", credentials: certrelay/enos, orgId: o15, productKey: pk1, deviceKey: dk17, validDays: 250, issueAuthority: ecc }
    targets:
      - { provider: enos, endpoint: "https://apigw.example", credentials: certrelay/enos, orgId: o15, assetId: asset17 }
`;

/** Replace the single line containing `find` (the test fails loudly if the example drifts). */
export function withLine(find: string, replacement: string): string {
  const lines = exampleConfig.split("\n");
  const index = lines.findIndex((line) => line.includes(find));
  if (index < 0) throw new Error(`example config has no line containing ${find}`);
  lines[index] = replacement;
  return lines.join("\n");
}
