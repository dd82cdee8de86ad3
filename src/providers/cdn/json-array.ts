/**
 * A JSON array answer decoded element by element from its bytes. SwiftFederation answers its certificate list as one
 * JSON array (VENDOR-NOTES); `JSON.parse` would need the whole body as bytes, then as a string, then as objects.
 * Here the bytes are fed to a streaming parser in slices, so the string copy is never made and each element is
 * handed over as soon as it is complete.
 */

const SLICE = 64 * 1024;

/**
 * Calls `onItem` for each element of the top-level array in `bytes`; false (and no call) when it is not an array.
 * The parser is loaded on the first list, not when the bundle starts (most starts list no CDN account).
 */
export async function eachArrayElement(bytes: Uint8Array, onItem: (item: unknown) => void): Promise<boolean> {
  const blank = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
  let start = 0;
  let end = bytes.length;
  while (start < end && blank(bytes[start])) start += 1;
  while (end > start && blank(bytes[end - 1])) end -= 1;
  if (bytes[start] !== 0x5b) return false; // "["
  const { JSONParser } = await import("@streamparser/json");
  const parser = new JSONParser({ paths: ["$.*"], keepStack: false });
  parser.onValue = ({ value }) => onItem(value);
  for (let at = start; at < end; at += SLICE) parser.write(bytes.subarray(at, Math.min(end, at + SLICE)));
  // the parser ends itself once the array closes; a body cut short still fails here
  if (!parser.isEnded) parser.end();
  return true;
}
