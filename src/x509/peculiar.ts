/**
 * @peculiar/x509 with its prerequisites. Loaded on first use (see `loadPeculiar`): most runs never build or read a
 * CSR, and evaluating the library (asn1 schema registrations, tsyringe, reflect-metadata) is the largest single
 * cost of a cold start.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
