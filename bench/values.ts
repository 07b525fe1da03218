// Generated values files for the scale benchmarks: T tailnets x S services.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

export interface Size {
  tailnets: number;
  services: number;
}

export const sizeName = (s: Size) => `${s.tailnets}x${s.services}`;

export function scaleValues(size: Size, extra: (t: number, s: number) => object = () => ({})): object {
  return {
    tailnets: Array.from({ length: size.tailnets }, (_, t) => ({
      name: `tn${String(t).padStart(2, "0")}`,
      authKey: `tskey-auth-bench-${t}`,
      services: Array.from({ length: size.services }, (_, s) => ({ host: `svc${s}.tn${t}.ts.net`, port: 1000 + s, ...extra(t, s) })),
    })),
  };
}

const dir = mkdtempSync(join(tmpdir(), "tse-bench-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
let n = 0;
export function writeValues(doc: object): string {
  const f = join(dir, `values-${n++}.yaml`);
  writeFileSync(f, stringify(doc));
  return f;
}
