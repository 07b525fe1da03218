// Names of F5 XC objects. F5 XC requires metadata.name to "follow DNS-1035 format" (F5 XC API reference and
// the volterraedge/volterra Terraform provider docs, e.g. docs/resources/volterra_origin_pool.md): lowercase
// letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters.
import { createHash } from "node:crypto";

export const XC_NAME_MAX = 63;
const HASH_LEN = 8;
const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const isXcName = (name: string): boolean => DNS_1035.test(name);

/**
 * A stable F5 XC name from parts (release, tailnet, port name ...), joined by '-'. Characters outside
 * [a-z0-9-] become '-', and a name that does not start with a letter gets an 'x-' prefix. A name longer
 * than 63 keeps its first 54 characters plus '-' and the first 8 hex digits of the SHA-256 of the full
 * name, so it stays unique, and the same parts always give the same name.
 */
export function xcName(...parts: string[]): string {
  const full = parts.join("-");
  let name = full
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!/^[a-z]/.test(name)) name = `x-${name}`.replace(/-+$/, "");
  if (name.length <= XC_NAME_MAX && name === full) return name;
  // Changed or too long: add a hash of the original so that distinct inputs stay distinct.
  const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_LEN);
  const room = XC_NAME_MAX - HASH_LEN - 1;
  return `${name.slice(0, room).replace(/-+$/, "")}-${hash}`;
}
