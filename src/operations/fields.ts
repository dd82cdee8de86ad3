/**
 * The vendor part of an operation request: generic field values by config field name (`orgId`, `dnsProvider`), as
 * the entry points read them from the inputs each provider definition names. Nothing here knows a vendor; a vendor
 * folder reads its own fields through the typed readers below. No imports: vendor folders use this at run time.
 */

export type DnsCredentialValue = string | number | boolean;

/** One field's value: text, a whole number, a flag, or a JSON object of parameters (DNS credentials). */
export type FieldValue = string | number | boolean | Record<string, DnsCredentialValue>;

/** Everything a user said about one vendor endpoint. Field names are the config's (camelCase). */
export interface VendorFields {
  provider: string;
  endpoint: string;
  [field: string]: FieldValue | undefined;
}

/** A text field, or undefined when it is not given (or not text). */
export function textField(fields: VendorFields, key: string): string | undefined {
  const value = fields[key];
  return typeof value === "string" ? value : undefined;
}

export function numberField(fields: VendorFields, key: string): number | undefined {
  const value = fields[key];
  return typeof value === "number" ? value : undefined;
}

export function flagField(fields: VendorFields, key: string): boolean | undefined {
  const value = fields[key];
  return typeof value === "boolean" ? value : undefined;
}

export function objectField(fields: VendorFields, key: string): Record<string, DnsCredentialValue> | undefined {
  const value = fields[key];
  return typeof value === "object" ? value : undefined;
}
