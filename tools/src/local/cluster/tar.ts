// A small deterministic tar writer and reader (ustar headers, PAX records for long names) for OCI image layers
// and image-layout archives. Only what images need: regular files, directories and symbolic links, no devices,
// hard links or extended attributes.

export type TarEntry =
  | { type: "file"; path: string; mode: number; uid: number; gid: number; data: Uint8Array; mtime?: number }
  | { type: "dir"; path: string; mode: number; uid: number; gid: number; mtime?: number }
  | { type: "symlink"; path: string; mode: number; uid: number; gid: number; target: string; mtime?: number };

const BLOCK = 512;
const TYPEFLAG = { file: "0", symlink: "2", dir: "5" } as const;

function octal(n: number, width: number): string {
  const s = n.toString(8);
  if (s.length > width - 1) throw new Error(`tar: ${n} does not fit ${width - 1} octal digits`);
  return `${s.padStart(width - 1, "0")}\0`;
}

/** One 512-byte header. Fields too long for ustar must already be in a preceding PAX record. */
function header(
  name: string,
  typeflag: string,
  o: { mode: number; uid: number; gid: number; size: number },
  link = "",
) {
  const h = Buffer.alloc(BLOCK);
  const put = (off: number, len: number, s: string) => {
    const b = Buffer.from(s, "utf8");
    b.copy(h, off, 0, Math.min(len, b.length));
  };
  put(0, 100, name);
  put(100, 8, octal(o.mode & 0o7777, 8));
  put(108, 8, octal(o.uid, 8));
  put(116, 8, octal(o.gid, 8));
  put(124, 12, octal(o.size, 12));
  put(136, 12, octal(0, 12));
  put(148, 8, "        ");
  put(156, 1, typeflag);
  put(157, 100, link);
  put(257, 8, "ustar\x0000");
  let sum = 0;
  for (const byte of h) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

const pad = (n: number) => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

/** A PAX record "<len> key=value\n", where len counts the whole record including its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body);
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

const fits = (s: string) => Buffer.byteLength(s) < 100 && /^[\x20-\x7e]*$/.test(s);

/** The tar stream of these entries, in the order given, with every mtime fixed (0 unless set). */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = e.type === "dir" && !e.path.endsWith("/") ? `${e.path}/` : e.path;
    const link = e.type === "symlink" ? e.target : "";
    const size = e.type === "file" ? e.data.length : 0;
    const mtime = e.mtime ?? 0;
    if (mtime !== 0) throw new Error(`tar: ${e.path}: only mtime 0 is written`);
    let pax = "";
    if (!fits(name)) pax += paxRecord("path", name);
    if (!fits(link)) pax += paxRecord("linkpath", link);
    if (pax) {
      const body = Buffer.from(pax, "utf8");
      parts.push(header("PaxHeader", "x", { mode: 0o644, uid: 0, gid: 0, size: body.length }), body, pad(body.length));
    }
    const short = (s: string) => (fits(s) ? s : Buffer.from(s).subarray(0, 99).toString("latin1"));
    parts.push(header(short(name), TYPEFLAG[e.type], { ...e, size }, short(link)));
    if (e.type === "file") parts.push(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length), pad(size));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

const field = (h: Buffer, off: number, len: number): string => {
  const raw = h.subarray(off, off + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? len : end).toString("utf8");
};
const num = (h: Buffer, off: number, len: number): number => Number.parseInt(field(h, off, len).trim() || "0", 8);

/** The entries of a tar stream (ustar and PAX path/linkpath records), for checking what writeTar wrote. */
export function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  let pax: Record<string, string> = {};
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const size = num(h, 124, 12);
    const type = field(h, 156, 1);
    const data = buf.subarray(off + BLOCK, off + BLOCK + size);
    off += BLOCK + size + pad(size).length;
    if (type === "x") {
      pax = {};
      for (const rec of data.toString("utf8").split("\n").filter(Boolean)) {
        const kv = rec.slice(rec.indexOf(" ") + 1);
        pax[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
      }
      continue;
    }
    const prefix = field(h, 345, 155);
    const base = { path: pax.path ?? (prefix ? `${prefix}/` : "") + field(h, 0, 100), mode: num(h, 100, 8) };
    const ids = { uid: num(h, 108, 8), gid: num(h, 116, 8), mtime: num(h, 136, 12) };
    if (type === "5") out.push({ type: "dir", ...base, ...ids });
    else if (type === "2") out.push({ type: "symlink", ...base, ...ids, target: pax.linkpath ?? field(h, 157, 100) });
    else if (type === "0" || type === "") out.push({ type: "file", ...base, ...ids, data: Buffer.from(data) });
    else throw new Error(`tar: ${base.path}: unsupported entry type ${JSON.stringify(type)}`);
    pax = {};
  }
  return out;
}
