// The Grafana dashboard (metrics.dashboard): a ConfigMap the kube-prometheus-stack sidecar loads, holding
// valid dashboard JSON whose every PromQL expression, with its Grafana variables replaced by sample values,
// passes Prometheus's own parser (promtool check rules). Kubernetes validity on 1.23 and the newest release
// and the install on a real API server come from the golden case 15-monitoring (kube-manifests, kube/).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { HELM_MAJORS, render } from "../tools/src/helm/helm.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { toolPath } from "../tools/src/lib/toolpaths.ts";
import { cleanupAll } from "../tools/src/local/lab/cleanup.ts";
import { tempDir } from "../tools/src/local/lab/tempdirs.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

afterAll(async () => void (await cleanupAll()));

interface Target {
  expr: string;
}
interface Panel {
  type: string;
  title: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string | { query: string } }[] };
}

const file = readFileSync(repoPath("files/dashboard.json"), "utf8");
const dashboard = JSON.parse(file) as Dashboard;
const panels = (ps: Panel[]): Panel[] => ps.flatMap((p) => [p, ...panels(p.panels ?? [])]);
const graphs = panels(dashboard.panels).filter((p) => p.type !== "row");

// Sample values for Grafana's variables: the dashboard's own and Grafana's built-in ones.
const SAMPLES: Record<string, string> = {
  namespace: "egress",
  job: "egress-tailscale-egress",
  pod: "egress-tailscale-egress-0|egress-tailscale-egress-1",
  __rate_interval: "2m",
  __interval: "30s",
  __range: "6h",
};
function substitute(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (m, name: string) => (/^\d+$/.test(name) ? m : (SAMPLES[name] ?? m)));
}

/** Every PromQL expression: the panels' targets, and the metric selectors inside the variables' label_values(). */
function expressions(d: Dashboard): string[] {
  const fromPanels = panels(d.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const fromVariables = d.templating.list
    .filter((v) => v.type === "query")
    .map((v) => (typeof v.query === "string" ? v.query : v.query.query))
    .map((q) => /^label_values\((.+),\s*\w+\)$/.exec(q)?.[1] ?? q);
  return [...fromPanels, ...fromVariables];
}

/** promtool check rules on a rules file with one recording rule per expression. */
async function checkExpressions(exprs: string[]) {
  const rules = join(tempDir("dashboard"), "rules.yaml");
  writeFileSync(
    rules,
    stringify({
      groups: [{ name: "dashboard", rules: exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr })) }],
    }),
  );
  return execa(toolPath("promtool"), ["check", "rules", rules], { reject: false, all: true });
}

describe("the dashboard JSON", () => {
  it("has the panels: tailnet and service health, connections, bytes, refusals, CPU and memory per container", () => {
    expect(graphs.map((p) => p.title)).toEqual([
      "Tailnet health",
      "Service (target) health",
      "New connections",
      "Tunnels opened",
      "Bytes",
      "Refused connections",
      "CPU per container",
      "Memory per container",
    ]);
    const text = expressions(dashboard).join("\n");
    for (const metric of [
      'envoy_cluster_membership_healthy{namespace="$namespace",job="$job",pod=~"$pod",envoy_cluster_name=~"health-.+"}',
      'envoy_cluster_membership_healthy{namespace="$namespace",job="$job",pod=~"$pod",tailnet!="",service!=""}',
      "envoy_tcp_downstream_cx_total{",
      "envoy_tcp_downstream_cx_rx_bytes_total{",
      "envoy_tcp_downstream_cx_tx_bytes_total{",
      "envoy_cluster_upstream_cx_total{",
      "envoy_cluster_upstream_cx_none_healthy{",
      "envoy_cluster_upstream_rq_pending_overflow{",
      "container_cpu_usage_seconds_total{",
      "container_memory_working_set_bytes{",
    ])
      expect(text).toContain(metric);
  });

  it("every PromQL expression, its variables replaced by sample values, passes promtool check rules", async () => {
    const exprs = expressions(dashboard).map(substitute);
    expect(exprs.length).toBe(graphs.flatMap((p) => p.targets ?? []).length + 3);
    // Nothing is left for Grafana to replace, but label_replace's "$1".
    for (const e of exprs) expect(e.replace(/"\$1"/g, ""), e).not.toContain("$");
    const r = await checkExpressions(exprs);
    expect(r.all).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(r.exitCode).toBe(0);
  });

  it("the check fails a broken expression (the harness can fail)", async () => {
    const r = await checkExpressions([substitute(graphs[0]!.targets![0]!.expr).replace(/\)$/, "")]);
    expect(r.exitCode).not.toBe(0);
  });
});

describe.each(HELM_MAJORS.map((m) => [m]))("metrics.dashboard with helm %i", (major) => {
  const TAILNETS = {
    tailnets: [{ name: "corp", authKey: "tskey-auth-x", services: [{ host: "web.corp.ts.net", port: 443 }] }],
  };
  const configMaps = async (values: object) =>
    (await render({ major, release: "egress", namespace: "egress", valuesFiles: [tmpValues(values)] }))
      .split(/^---$/m)
      .map(
        (d) =>
          parse(d) as {
            kind?: string;
            metadata: {
              name: string;
              namespace: string;
              labels: Record<string, string>;
              annotations?: Record<string, string>;
            };
            data: Record<string, string>;
          } | null,
      )
      .filter((d) => d?.kind === "ConfigMap")
      .map((d) => d!);

  it("is off by default", async () => {
    const names = (await configMaps(TAILNETS)).map((c) => c.metadata.name);
    expect(names).toContain("egress-tailscale-egress-envoy");
    expect(names).not.toContain("egress-tailscale-egress-dashboard");
  });

  it('renders a ConfigMap labelled grafana_dashboard: "1" holding the dashboard JSON', async () => {
    const cms = await configMaps({ ...TAILNETS, metrics: { dashboard: { enabled: true } } });
    const cm = cms.find((c) => c.metadata.name === "egress-tailscale-egress-dashboard")!;
    expect(cm.metadata.namespace).toBe("egress");
    expect(cm.metadata.labels.grafana_dashboard).toBe("1");
    expect(cm.metadata.labels["app.kubernetes.io/instance"]).toBe("egress");
    expect(Object.keys(cm.data)).toEqual(["tailscale-egress.json"]);
    expect(JSON.parse(cm.data["tailscale-egress.json"]!)).toEqual(dashboard);
  });

  it("takes its namespace, labels and annotations from the values", async () => {
    const cms = await configMaps({
      ...TAILNETS,
      metrics: {
        dashboard: {
          enabled: true,
          namespace: "monitoring",
          labels: { grafana_dashboard: "tailscale", team: "net" },
          annotations: { grafana_folder: "Networking" },
        },
      },
    });
    const cm = cms.find((c) => c.metadata.name === "egress-tailscale-egress-dashboard")!;
    expect(cm.metadata.namespace).toBe("monitoring");
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: "tailscale", team: "net" });
    expect(cm.metadata.annotations).toEqual({ grafana_folder: "Networking" });
  });
});
