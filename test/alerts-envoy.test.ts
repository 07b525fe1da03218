// The alerts read what the chart's real Envoy exports. Envoy 1.40 runs the rendered ConfigMap of the golden case
// 15-monitoring (tools/src/local/envoy.ts, on loopback); its /stats/prometheus, with the labels the chart's
// ServiceMonitor adds, becomes the input of a promtool unit test of the rendered PrometheusRule. No containerboot
// runs, so Envoy's health checks of both tailnets fail: TailscaleEgressTailnetDown must fire for each of them
// after 2m, by the names and labels Envoy really uses, and the alerts on a healthy Envoy must stay silent.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { envoyFiles, findOne } from "../tools/src/helm/manifests.ts";
import { render } from "../tools/src/helm/helm.ts";
import { toolPath } from "../tools/src/lib/toolpaths.ts";
import { cleanupAll } from "../tools/src/local/lab/cleanup.ts";
import { tempDir } from "../tools/src/local/lab/tempdirs.ts";
import { startEnvoy } from "../tools/src/local/envoy.ts";
import { manifestsOf } from "./lib/cases.ts";

afterAll(async () => void (await cleanupAll()));

const CASE = goldenCases().find((c) => c.name === "15-monitoring")!;
// What the alerts read from Envoy (the per-service series with tailnet and service labels aside: they come
// with per-service health).
const METRICS = [
  "envoy_cluster_membership_healthy",
  "envoy_server_state",
  "envoy_listener_manager_lds_update_rejected",
  "envoy_cluster_manager_cds_update_rejected",
  "envoy_cluster_upstream_rq_pending_overflow",
];

/** The samples of `names` in a Prometheus text exposition, as [series selector, value]. */
function samples(text: string, names: string[]): [string, string, number][] {
  const out: [string, string, number][] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m || !names.includes(m[1]!)) continue;
    out.push([m[1]!, (m[2] ?? "{}").slice(1, -1), Number(m[3])]);
  }
  return out;
}

describe("the alerts on the chart's real Envoy", () => {
  it("find Envoy's series by their real names, and TailnetDown fires for each tailnet Envoy sees down", async () => {
    const manifests = await manifestsOf(CASE.file);
    const full = findOne(manifests, "Service").metadata.name;
    const ns = findOne(manifests, "Service").metadata.namespace!;
    const envoy = await startEnvoy(envoyFiles(manifests));
    let exposition: string;
    try {
      exposition = await (await fetch(`${envoy.adminUrl}/stats/prometheus`)).text();
    } finally {
      await envoy.stop();
    }
    const found = samples(exposition, METRICS);
    for (const name of METRICS)
      expect(
        found.map((s) => s[0]),
        name,
      ).toContain(name);
    const health = found.filter(([n]) => n === "envoy_cluster_membership_healthy");
    // Both tailnets' health clusters, down: no containerboot answers their /healthz.
    expect(health.filter(([, l]) => /envoy_cluster_name="health-(corp|lab)"/.test(l)).map(([, , v]) => v)).toEqual([
      0, 0,
    ]);
    expect(found.find(([n]) => n === "envoy_server_state")?.[2]).toBe(0);

    // The scrape as Prometheus stores it through the ServiceMonitor, held for 5 minutes.
    const pod = `${full}-0`;
    const target = `namespace="${ns}",job="${full}",pod="${pod}",endpoint="health",container="envoy"`;
    const input = found.map(([n, l, v]) => ({
      series: `${n}{${[l, target].filter(Boolean).join(",")}}`,
      values: Array(6).fill(String(v)).join(" "),
    }));
    input.push({ series: `up{${target}}`, values: "1 1 1 1 1 1" });

    const rule = parse(
      await render({
        major: 4,
        valuesFiles: [CASE.file],
        apiVersions: ["monitoring.coreos.com/v1/PrometheusRule"],
        extraArgs: ["--show-only", "templates/prometheusrule.yaml"],
      }),
    ) as { spec: { groups: { rules: { alert: string; annotations: Record<string, string> }[] }[] } };
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    const dir = tempDir("alerts-envoy");
    writeFileSync(join(dir, "rules.yaml"), stringify({ groups: rule.spec.groups }));
    const down = (tailnet: string) => ({
      exp_labels: {
        namespace: ns,
        job: full,
        pod,
        endpoint: "health",
        container: "envoy",
        envoy_cluster_name: `health-${tailnet}`,
        tailnet,
        severity: "critical",
      },
      exp_annotations: {
        summary: `Tailnet ${tailnet} is down in pod ${pod}`,
        description: `Envoy's health check of tailnet ${tailnet} (containerboot's /healthz) fails in pod ${pod}: every port of that tailnet refuses new connections there, and /ready/${tailnet} answers 503.`,
        runbook_url: rules.find((r) => r.alert === "TailscaleEgressTailnetDown")!.annotations.runbook_url,
      },
    });
    const expected: Record<string, object[]> = {
      TailscaleEgressTailnetDown: [down("corp"), down("lab")],
    };
    writeFileSync(
      join(dir, "tests.yaml"),
      stringify({
        rule_files: ["rules.yaml"],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: input,
            alert_rule_test: rules.map((r) => ({
              eval_time: "5m",
              alertname: r.alert,
              exp_alerts: expected[r.alert] ?? [],
            })),
          },
        ],
      }),
    );
    // Every alert of the case is evaluated: TailnetDown fires, the rest stay silent on this healthy Envoy.
    expect(rules.length).toBeGreaterThanOrEqual(4);
    const r = await execa(toolPath("promtool"), ["test", "rules", "tests.yaml"], {
      cwd: dir,
      reject: false,
      all: true,
    });
    expect(r.exitCode, r.all).toBe(0);
  });
});
