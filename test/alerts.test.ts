// The chart's alerts (metrics.prometheusRule), checked by Prometheus's own promtool: the PrometheusRule that
// Helm 3 and Helm 4 render is valid (promtool check rules), and each alert fires for the series that should
// fire it and stays silent for those that should not (promtool test rules). Every alert in the rendered rule
// has at least one firing and one silent case here.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { HELM_MAJORS, render, type HelmMajor } from "../tools/src/helm/helm.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { toolPath } from "../tools/src/lib/toolpaths.ts";
import { markdownAnchors } from "../tools/src/lib/markdown.ts";
import { cleanupAll } from "../tools/src/local/lab/cleanup.ts";
import { tempDir } from "../tools/src/local/lab/tempdirs.ts";
import { tmpValues } from "../tools/src/local/tmp.ts";

afterAll(async () => void (await cleanupAll()));

const RELEASE = "egress";
const NS = "egress";
const FULL = "egress-tailscale-egress";
const RUNBOOK = "https://example.invalid/tailscale-egress/blob/v0.0.0-dev/docs/runbooks.md";
const ALERTS = [
  "TailscaleEgressTailnetDown",
  "TailscaleEgressTargetDown",
  "TailscaleEgressPendingOverflow",
  "TailscaleEgressConfigRejected",
  "TailscaleEgressEnvoyNotReady",
];

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface PromRule {
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: { groups: { name: string; rules: Rule[] }[] };
}

async function renderRule(major: HelmMajor, values: object): Promise<PromRule> {
  const out = await render({
    major,
    release: RELEASE,
    namespace: NS,
    valuesFiles: [tmpValues(values)],
    apiVersions: ["monitoring.coreos.com/v1/PrometheusRule"],
    extraArgs: ["--show-only", "templates/prometheusrule.yaml"],
  });
  return parse(out) as PromRule;
}

/** Writes the PrometheusRule's spec as a Prometheus rules file; returns its path. */
function rulesFile(rule: PromRule): string {
  const file = join(tempDir("alerts"), "rules.yaml");
  writeFileSync(file, stringify({ groups: rule.spec.groups }));
  return file;
}

const promtool = (args: string[]) => execa(toolPath("promtool"), args, { reject: false, all: true });

const TAILNETS = {
  tailnets: [
    { name: "corp", authKey: "tskey-auth-x", services: [{ host: "web.corp.ts.net", port: 443, name: "web" }] },
    { name: "lab", authKey: "tskey-auth-y", services: [{ host: "grafana.lab.ts.net", port: 3000 }] },
  ],
};
const DEFAULTS = { ...TAILNETS, metrics: { prometheusRule: { enabled: true } } };

// The labels Prometheus gives the release's series when it scrapes through the chart's ServiceMonitor.
const POD = "egress-tailscale-egress-0";
const target = `namespace="${NS}",job="${FULL}",pod="${POD}",instance="10.0.0.5:10501",endpoint="health",container="envoy"`;
const series = (name: string, labels: string, values: string) => ({
  series: `${name}{${target}${labels ? `,${labels}` : ""}}`,
  values,
});
const targetLabels = {
  namespace: NS,
  job: FULL,
  pod: POD,
  instance: "10.0.0.5:10501",
  endpoint: "health",
  container: "envoy",
};

interface AlertCase {
  alertname: string;
  name: string;
  input: { series: string; values: string }[];
  evalTime: string;
  /** The alerts expected at evalTime: labels (alertname aside) and annotations. None: the alert is silent. */
  expect: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
}

const tailnetDownAnnotations = (tailnet: string, pod = POD) => ({
  summary: `Tailnet ${tailnet} is down in pod ${pod}`,
  description: `Envoy's health check of tailnet ${tailnet} (containerboot's /healthz) fails in pod ${pod}: every port of that tailnet refuses new connections there, and /ready/${tailnet} answers 503.`,
  runbook_url: `${RUNBOOK}#tailscaleegresstailnetdown`,
});

/** A firing ConfigRejected case: one rejected update of `config` ("listeners" or "clusters") at 2m. */
function configRejectedCase(config: "listeners" | "clusters", name: string): AlertCase {
  const moved = (c: string) => (c === config ? "0 0 1 1" : "0 0 0 0");
  return {
    alertname: "TailscaleEgressConfigRejected",
    name,
    input: [
      series("envoy_listener_manager_lds_update_rejected", "", moved("listeners")),
      series("envoy_cluster_manager_cds_update_rejected", "", moved("clusters")),
    ],
    evalTime: "3m",
    expect: [
      {
        exp_labels: { namespace: NS, pod: POD, config, severity: "warning" },
        exp_annotations: {
          summary: `Envoy in pod ${POD} rejected an update of its ${config}`,
          description: `Envoy rejected 1 update(s) of its ${config} in the last 15m and keeps serving its previous configuration: a service edit has not taken effect.`,
          runbook_url: `${RUNBOOK}#tailscaleegressconfigrejected`,
        },
      },
    ],
  };
}

/** A firing EnvoyNotReady case at 7m, whose alert reports `state` (the server state, or 0 when unscraped). */
function notReadyCase(name: string, state: number, input: AlertCase["input"]): AlertCase {
  return {
    alertname: "TailscaleEgressEnvoyNotReady",
    name,
    input,
    evalTime: "7m",
    expect: [
      {
        exp_labels: { namespace: NS, pod: POD, severity: "critical" },
        exp_annotations: {
          summary: `Envoy in pod ${POD} is not ready`,
          description: `Envoy in pod ${POD} is not live (server state ${state}: 1 draining, 2 pre-initializing, 3 initializing) or its metrics cannot be scraped (value 0): no port of the pod serves.`,
          runbook_url: `${RUNBOOK}#tailscaleegressenvoynotready`,
        },
      },
    ],
  };
}

// Cases for the chart's default thresholds and durations (tailnetDown and targetDown for 2m, pendingOverflow
// over 5m above 0, configRejected over 15m above 0, envoyNotReady for 5m). Samples are one minute apart.
const DEFAULT_CASES: AlertCase[] = [
  {
    alertname: "TailscaleEgressTailnetDown",
    name: "fires when a tailnet's health stays 0 for 2m, and names the tailnet",
    input: [
      series("envoy_cluster_membership_healthy", 'envoy_cluster_name="health-corp"', "1 0 0 0 0"),
      series("envoy_cluster_membership_healthy", 'envoy_cluster_name="health-lab"', "1 1 1 1 1"),
    ],
    evalTime: "4m",
    expect: [
      {
        exp_labels: { ...targetLabels, envoy_cluster_name: "health-corp", tailnet: "corp", severity: "critical" },
        exp_annotations: tailnetDownAnnotations("corp"),
      },
    ],
  },
  {
    alertname: "TailscaleEgressTailnetDown",
    name: "stays silent for a tailnet down less than 2m",
    input: [series("envoy_cluster_membership_healthy", 'envoy_cluster_name="health-corp"', "1 1 1 0 0 1")],
    evalTime: "4m",
    expect: [],
  },
  {
    alertname: "TailscaleEgressTailnetDown",
    name: "stays silent for another release's tailnet (the selector)",
    input: [
      {
        series: `envoy_cluster_membership_healthy{namespace="other",job="${FULL}",pod="${POD}",envoy_cluster_name="health-corp"}`,
        values: "0 0 0 0 0",
      },
      {
        series: `envoy_cluster_membership_healthy{namespace="${NS}",job="other",pod="${POD}",envoy_cluster_name="health-corp"}`,
        values: "0 0 0 0 0",
      },
    ],
    evalTime: "4m",
    expect: [],
  },
  {
    alertname: "TailscaleEgressTargetDown",
    name: "fires when a service's target stays down for 2m while its tailnet is up",
    input: [
      series("envoy_cluster_membership_healthy", 'envoy_cluster_name="health-corp"', "1 1 1 1 1"),
      series("envoy_cluster_membership_healthy", 'tailnet="corp",service="web"', "1 0 0 0 0"),
      series("envoy_cluster_membership_healthy", 'tailnet="lab",service="tcp-11000"', "1 1 1 1 1"),
    ],
    evalTime: "4m",
    expect: [
      {
        exp_labels: { ...targetLabels, tailnet: "corp", service: "web", severity: "warning" },
        exp_annotations: {
          summary: `Target of service web in tailnet corp is down in pod ${POD}`,
          description: `The health check of service web through tailnet corp fails in pod ${POD}, while the tailnet itself is up: the target does not accept tunnels.`,
          runbook_url: `${RUNBOOK}#tailscaleegresstargetdown`,
        },
      },
    ],
  },
  {
    alertname: "TailscaleEgressTargetDown",
    name: "stays silent while the whole tailnet is down (TailnetDown says so), and for a healthy target",
    input: [
      series("envoy_cluster_membership_healthy", 'envoy_cluster_name="health-corp"', "1 0 0 0 0"),
      series("envoy_cluster_membership_healthy", 'tailnet="corp",service="web"', "1 0 0 0 0"),
      series("envoy_cluster_membership_healthy", 'envoy_cluster_name="health-lab"', "1 1 1 1 1"),
      series("envoy_cluster_membership_healthy", 'tailnet="lab",service="tcp-11000"', "1 1 1 1 1"),
    ],
    evalTime: "4m",
    expect: [],
  },
  {
    alertname: "TailscaleEgressPendingOverflow",
    name: "fires at once when connections were refused in the last 5m",
    input: [
      series(
        "envoy_cluster_upstream_rq_pending_overflow",
        'envoy_cluster_name="ts-corp",tailnet="corp",service="web"',
        "0 0 3 3",
      ),
    ],
    evalTime: "3m",
    expect: [
      {
        exp_labels: {
          namespace: NS,
          pod: POD,
          envoy_cluster_name: "ts-corp",
          tailnet: "corp",
          service: "web",
          severity: "warning",
        },
        exp_annotations: {
          summary: `Pod ${POD} refused new connections on Envoy cluster ts-corp (tailnet corp, service web)`,
          description:
            "3 new connections were refused in the last 5m because more than envoy.circuitBreakers.maxPendingRequests waited for the tailnet's proxy (access log flag URX).",
          runbook_url: `${RUNBOOK}#tailscaleegresspendingoverflow`,
        },
      },
    ],
  },
  {
    alertname: "TailscaleEgressPendingOverflow",
    name: "stays silent for a counter that does not move, and for refusals older than 5m",
    input: [
      series("envoy_cluster_upstream_rq_pending_overflow", 'envoy_cluster_name="ts-corp"', "7 7 7 7 7 7 7 7 7 7 7"),
      series("envoy_cluster_upstream_rq_pending_overflow", 'envoy_cluster_name="ts-lab"', "0 4 4 4 4 4 4 4 4 4 4"),
    ],
    evalTime: "10m",
    expect: [],
  },
  configRejectedCase("listeners", "fires at once when Envoy rejected a listener update, and says it was the listeners"),
  configRejectedCase("clusters", "fires for a rejected cluster update too"),
  {
    alertname: "TailscaleEgressConfigRejected",
    name: "stays silent with no rejection, and 15m after the last one",
    input: [
      series("envoy_listener_manager_lds_update_rejected", "", "0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"),
      series("envoy_cluster_manager_cds_update_rejected", "", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"),
    ],
    evalTime: "20m",
    expect: [],
  },
  notReadyCase("fires when Envoy stays initializing for 5m", 3, [
    series("envoy_server_state", "", "0 3 3 3 3 3 3 3"),
    series("up", "", "1 1 1 1 1 1 1 1"),
  ]),
  notReadyCase("fires when Envoy's metrics cannot be scraped for 5m", 0, [series("up", "", "1 0 0 0 0 0 0 0")]),
  {
    alertname: "TailscaleEgressEnvoyNotReady",
    name: "stays silent 3m into a drain (shorter than 5m)",
    input: [series("envoy_server_state", "", "0 0 1 1 1 1 0 0"), series("up", "", "1 1 1 1 1 1 1 1")],
    evalTime: "5m",
    expect: [],
  },
  {
    alertname: "TailscaleEgressEnvoyNotReady",
    name: "stays silent when only a tailnet's metrics endpoint fails",
    input: [
      series("envoy_server_state", "", "0 0 0 0 0 0 0 0"),
      series("up", "", "1 1 1 1 1 1 1 1"),
      series("up", 'tailnet="corp"', "0 0 0 0 0 0 0 0"),
    ],
    evalTime: "7m",
    expect: [],
  },
];

/** A promtool unit-test file for `rules`, one test group per case; returns its path. */
function unitTestFile(rules: string, cases: AlertCase[]): string {
  const file = join(tempDir("alerts-test"), "tests.yaml");
  writeFileSync(
    file,
    stringify({
      rule_files: [rules],
      evaluation_interval: "1m",
      tests: cases.map((c) => ({
        name: `${c.alertname}: ${c.name}`,
        interval: "1m",
        input_series: c.input,
        alert_rule_test: [{ eval_time: c.evalTime, alertname: c.alertname, exp_alerts: c.expect }],
      })),
    }),
  );
  return file;
}

describe.each(HELM_MAJORS.map((m) => [m]))("alerts rendered by helm %i", (major) => {
  it("are exactly the five alerts, valid for promtool check rules", async () => {
    const rule = await renderRule(major, DEFAULTS);
    expect(rule.kind).toBe("PrometheusRule");
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(ALERTS);
    const r = await promtool(["check", "rules", rulesFile(rule)]);
    expect(r.all).toContain("SUCCESS: 5 rules found");
    expect(r.exitCode).toBe(0);
  });

  it("each fires for the series that should fire it and stays silent otherwise (promtool test rules)", async () => {
    const rule = await renderRule(major, DEFAULTS);
    // Every alert of the rendered rule has a firing case and a silent case.
    for (const alert of rule.spec.groups.flatMap((g) => g.rules).map((r) => r.alert)) {
      const cases = DEFAULT_CASES.filter((c) => c.alertname === alert);
      expect(cases.filter((c) => c.expect.length > 0).length, `${alert} has a firing case`).toBeGreaterThan(0);
      expect(cases.filter((c) => c.expect.length === 0).length, `${alert} has a silent case`).toBeGreaterThan(0);
    }
    const r = await promtool(["test", "rules", unitTestFile(rulesFile(rule), DEFAULT_CASES)]);
    expect(r.all).toContain("SUCCESS");
    expect(r.exitCode, r.all).toBe(0);
  });
});

describe("alert values", () => {
  it("tune the threshold, window, duration and severity, and switch alerts off", async () => {
    const rule = await renderRule(4, {
      ...DEFAULTS,
      metrics: {
        prometheusRule: {
          enabled: true,
          runbookBaseUrl: "https://runbooks.example.invalid/egress",
          alerts: {
            pendingOverflow: { for: "1m", window: "10m", threshold: 5, severity: "critical" },
            configRejected: { enabled: false },
          },
        },
      },
    });
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).not.toContain("TailscaleEgressConfigRejected");
    const overflow = rules.find((r) => r.alert === "TailscaleEgressPendingOverflow")!;
    expect(overflow.for).toBe("1m");
    expect(overflow.expr).toMatch(/\[10m\]\)\s*\) > 5$/);
    expect(overflow.annotations.runbook_url).toBe(
      "https://runbooks.example.invalid/egress#tailscaleegresspendingoverflow",
    );
    const labels = 'envoy_cluster_name="ts-corp"';
    const cases: AlertCase[] = [
      {
        alertname: "TailscaleEgressPendingOverflow",
        name: "5 refusals in 10m are within the threshold",
        input: [series("envoy_cluster_upstream_rq_pending_overflow", labels, "0 0 5 5 5 5")],
        evalTime: "5m",
        expect: [],
      },
      {
        alertname: "TailscaleEgressPendingOverflow",
        name: "6 refusals in 10m, for 1m, fire",
        input: [series("envoy_cluster_upstream_rq_pending_overflow", labels, "0 0 6 6 6 6")],
        evalTime: "5m",
        expect: [
          {
            exp_labels: { namespace: NS, pod: POD, envoy_cluster_name: "ts-corp", severity: "critical" },
            exp_annotations: {
              summary: `Pod ${POD} refused new connections on Envoy cluster ts-corp (tailnet , service )`,
              description:
                "6 new connections were refused in the last 10m because more than envoy.circuitBreakers.maxPendingRequests waited for the tailnet's proxy (access log flag URX).",
              runbook_url: "https://runbooks.example.invalid/egress#tailscaleegresspendingoverflow",
            },
          },
        ],
      },
    ];
    const r = await promtool(["test", "rules", unitTestFile(rulesFile(rule), cases)]);
    expect(r.exitCode, r.all).toBe(0);
  });

  it("render nothing unless enabled and the cluster has the API", async () => {
    for (const [values, apis] of [
      [TAILNETS, ["monitoring.coreos.com/v1/PrometheusRule"]],
      [DEFAULTS, []],
    ] as const) {
      const out = await render({ major: 3, valuesFiles: [tmpValues(values)], apiVersions: [...apis] });
      expect(out).not.toContain("kind: PrometheusRule");
    }
  });

  it("point each runbook_url at a section of docs/runbooks.md", async () => {
    const anchors = markdownAnchors(readFileSync(repoPath("docs/runbooks.md"), "utf8"));
    const rule = await renderRule(3, DEFAULTS);
    for (const r of rule.spec.groups.flatMap((g) => g.rules)) {
      const [url, anchor] = r.annotations.runbook_url!.split("#");
      expect(url).toBe(RUNBOOK);
      expect(anchors, r.alert).toContain(anchor);
    }
  });
});

describe("the promtool harness", () => {
  it("fails a case whose expectation is wrong (the unit tests can fail)", async () => {
    const rule = await renderRule(3, DEFAULTS);
    const wrong = DEFAULT_CASES.filter((c) => c.expect.length === 0).map((c) => ({
      ...c,
      expect: [{ exp_labels: { ...targetLabels, severity: "critical" }, exp_annotations: {} }],
    }));
    const r = await promtool(["test", "rules", unitTestFile(rulesFile(rule), wrong)]);
    expect(r.exitCode).not.toBe(0);
    expect(r.all).toContain("FAILED");
  });
});
