// Envoy, for real: the Envoy files of the RENDERED ConfigMap (not the TS plan), for every golden case and
// example, are (a) accepted by `envoy --mode validate`, both as rendered (file-based LDS/CDS) and with the
// listeners and clusters inlined as static_resources (validate mode does not read LDS/CDS file contents), and
// (b) loaded by a running Envoy: every listener active on its (remapped) port, every cluster present, LDS
// and CDS applied once with nothing rejected. The only edits are those of remapForLocalRun().
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envoyFiles } from "../tools/src/helm/manifests.ts";
import type { JsonObject } from "../tools/src/lib/json.ts";
import { CDS_FILE, LDS_FILE } from "../tools/src/plan/envoy.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { manifestsOf } from "./lib/cases.ts";
import { startEnvoy, validateEnvoy } from "../tools/src/local/envoy.ts";
import type { EnvoyFiles } from "../tools/src/local/envoy-remap.ts";

const resources = (files: EnvoyFiles, file: string) => (files[file]?.resources ?? []) as JsonObject[];
const renderedPort = (l: JsonObject) => ((l.address as JsonObject).socket_address as JsonObject).port_value as number;

describe.concurrent("envoy accepts the rendered ConfigMap", () => {
  it.each(goldenCases().map((c) => [c.name, c] as const))(
    "%s: envoy --mode validate (file-based and inlined)",
    async (_n, c) => {
      const results = await validateEnvoy(envoyFiles(await manifestsOf(c.file)));
      for (const r of results) {
        expect(r.exitCode, `${r.name} bootstrap:\n${r.output}`).toBe(0);
        expect(r.output).toMatch(/configuration '.*' OK/);
      }
    },
  );

  it.each(goldenCases().map((c) => [c.name, c] as const))(
    "%s: a running envoy loads every listener and cluster",
    async (_n, c) => {
      const files = envoyFiles(await manifestsOf(c.file));
      const envoy = await startEnvoy(files);
      try {
        const listeners = resources(files, LDS_FILE);
        const expected = listeners
          .map((l) => ({ name: l.name as string, address: "127.0.0.1", port: envoy.ports.get(renderedPort(l)) }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const actual = (await envoy.listeners()).sort((a, b) => a.name.localeCompare(b.name));
        expect(actual).toEqual(expected);
        expect(new Set(actual.map((l) => l.port)).size).toBe(listeners.length);

        const clusters = await envoy.clusters();
        for (const cl of resources(files, CDS_FILE)) expect(clusters).toContain(cl.name);

        const s = await envoy.stats("^(listener_manager|cluster_manager|http\\.health\\.rds)\\.");
        expect(s["http.health.rds.health.update_success"]).toBeGreaterThanOrEqual(1);
        expect(s["http.health.rds.health.update_rejected"]).toBe(0);
        expect(s["listener_manager.total_listeners_active"]).toBe(listeners.length);
        expect(s["listener_manager.total_listeners_warming"]).toBe(0);
        expect(s["listener_manager.lds.update_success"]).toBeGreaterThanOrEqual(1);
        expect(s["listener_manager.lds.update_rejected"]).toBe(0);
        expect(s["cluster_manager.cds.update_success"]).toBeGreaterThanOrEqual(1);
        expect(s["cluster_manager.cds.update_rejected"]).toBe(0);
        expect(s["cluster_manager.active_clusters"]).toBe(resources(files, CDS_FILE).length);
      } finally {
        await envoy.stop();
      }
      expect(existsSync(envoy.configDir)).toBe(false);
    },
  );
});

describe("the Envoy checks have teeth", () => {
  const broken = async (): Promise<EnvoyFiles> => {
    const files = structuredClone(envoyFiles(await manifestsOf(goldenCases()[0]!.file)));
    const l = resources(files, LDS_FILE)[0]!;
    const filter = ((l.filter_chains as JsonObject[])[0]!.filters as JsonObject[])[0]!;
    (filter.typed_config as JsonObject).stat_prefix = ""; // proto validation: stat_prefix must be non-empty
    return files;
  };

  it("validate mode misses a bad LDS file, the inlined bootstrap catches it", async () => {
    const [dynamic, inlined] = await validateEnvoy(await broken());
    expect(dynamic?.exitCode).toBe(0);
    expect(inlined?.exitCode).not.toBe(0);
    expect(inlined?.output).toMatch(/StatPrefix: value length must be at least 1/);
  });

  it("a running envoy rejects a bad LDS file, and the harness sees it", async () => {
    const envoy = await startEnvoy(await broken());
    try {
      const s = await envoy.stats("^listener_manager\\.lds\\.update_rejected$");
      expect(s["listener_manager.lds.update_rejected"]).toBeGreaterThanOrEqual(1);
    } finally {
      await envoy.stop();
    }
  });
});
