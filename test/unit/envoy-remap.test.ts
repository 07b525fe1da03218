// remapForLocalRun() changes only socket addresses (0.0.0.0 -> 127.0.0.1), mapped ports and /etc/envoy
// paths; every other byte of the rendered Envoy files is kept.
import { describe, expect, it } from "vitest";
import { envoyFiles } from "../../tools/src/helm/manifests.ts";
import type { Json } from "../../tools/src/lib/json.ts";
import { remapForLocalRun } from "../../tools/src/local/envoy-remap.ts";
import { goldenCases } from "../../tools/src/golden/cases.ts";
import { manifestsOf } from "../lib/cases.ts";

interface Change {
  path: string;
  from: Json;
  to: Json;
}

/** Leaf differences between two documents of the same shape; throws when the shapes differ. */
function diff(a: Json, b: Json, path = ""): Change[] {
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    if (Array.isArray(a) !== Array.isArray(b)) throw new Error(`${path}: shape changed`);
    const keys = Object.keys(a);
    expect(Object.keys(b), `keys at ${path}`).toEqual(keys);
    return keys.flatMap((k) => diff((a as Record<string, Json>)[k]!, (b as Record<string, Json>)[k]!, `${path}/${k}`));
  }
  return a === b ? [] : [{ path, from: a, to: b }];
}

describe("remapForLocalRun", () => {
  it.each(goldenCases().map((c) => [c.name, c] as const))(
    "%s: changes only addresses, mapped ports and paths",
    async (_n, c) => {
      const files = envoyFiles(await manifestsOf(c.file));
      const ports = new Map([
        [10500, 0],
        [10000, 40000],
        [10550, 41000],
        [10700, 42000],
      ]);
      const out = remapForLocalRun(files, { configDir: "/tmp/x", ports });
      const changes = diff(files, out);
      expect(changes.length).toBeGreaterThan(0);
      for (const ch of changes) {
        if (ch.path.endsWith("/socket_address/address")) expect([ch.from, ch.to]).toEqual(["0.0.0.0", "127.0.0.1"]);
        else if (ch.path.endsWith("/socket_address/port_value") || ch.path.endsWith("/health_check_config/port_value"))
          expect(ch.to).toBe(ports.get(ch.from as number));
        else if (ch.path.endsWith("/path"))
          expect(ch.to).toBe(`/tmp/x${(ch.from as string).slice("/etc/envoy".length)}`);
        else throw new Error(`unexpected change at ${ch.path}: ${JSON.stringify(ch)}`);
      }
      expect(files).toEqual(envoyFiles(await manifestsOf(c.file))); // the input is not mutated
    },
  );

  it("leaves unmapped ports, loopback addresses and other paths alone", () => {
    const doc = {
      a: { socket_address: { address: "127.0.0.1", port_value: 10550 } },
      b: { socket_address: { address: "0.0.0.0", port_value: 10001 } },
      path: "/etc/envoyx/lds.json",
      other: { path: "/var/run/x", port_value: 10001, address: "0.0.0.0" },
    };
    const out = remapForLocalRun({ "f.json": doc }, { configDir: "/tmp/y", ports: new Map([[10001, 2]]) });
    expect(out["f.json"]).toEqual({
      a: { socket_address: { address: "127.0.0.1", port_value: 10550 } },
      b: { socket_address: { address: "127.0.0.1", port_value: 2 } },
      path: "/etc/envoyx/lds.json",
      other: { path: "/var/run/x", port_value: 10001, address: "0.0.0.0" },
    });
  });
});
