// The Grafana dashboard that metrics.dashboard ships in a ConfigMap (files/dashboard.json, written by
// `npm run gen`). Its queries use the metric names the alerts use (docs/runbooks.md) and cAdvisor's container
// metrics for CPU and memory (Envoy exports no CPU metric). Variables: $datasource, $namespace, $job (the
// release's Service, the job label the chart's ServiceMonitor gives its series) and $pod.

type Json = Record<string, unknown>;

/** The release's Envoy series, as the variables select them. */
const SEL = 'namespace="$namespace",job="$job",pod=~"$pod"';
/** The pods' containers, as cAdvisor (the kubelet) labels them. */
const CONTAINERS = 'namespace="$namespace",pod=~"$pod",container!="",container!="POD"';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template.
const DS = { type: "prometheus", uid: "${datasource}" };

interface PanelSpec {
  title: string;
  description: string;
  type: "timeseries" | "state-timeline";
  unit: string;
  targets: { expr: string; legend: string }[];
  /** 0/1 health: red below 1, green at 1. */
  health?: boolean;
}

function panel(p: PanelSpec, id: number, x: number, y: number, w = 12, h = 8): Json {
  const thresholds = p.health
    ? {
        mode: "absolute",
        steps: [
          { color: "red", value: null },
          { color: "green", value: 1 },
        ],
      }
    : { mode: "absolute", steps: [{ color: "green", value: null }] };
  return {
    id,
    type: p.type,
    title: p.title,
    description: p.description,
    datasource: DS,
    gridPos: { x, y, w, h },
    fieldConfig: {
      defaults: {
        unit: p.unit,
        thresholds,
        ...(p.health
          ? {
              min: 0,
              max: 1,
              color: { mode: "thresholds" },
              mappings: [
                {
                  type: "value",
                  options: { "0": { text: "down", color: "red" }, "1": { text: "up", color: "green" } },
                },
              ],
            }
          : { color: { mode: "palette-classic" } }),
      },
      overrides: [],
    },
    options:
      p.type === "timeseries"
        ? {
            legend: { displayMode: "table", placement: "bottom", calcs: ["lastNotNull", "max"] },
            tooltip: { mode: "multi", sort: "desc" },
          }
        : { showValue: "never", mergeValues: true, alignValue: "left" },
    targets: p.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DS,
      expr: t.expr,
      legendFormat: t.legend,
      range: true,
    })),
  };
}

function row(title: string, id: number, y: number): Json {
  return { id, type: "row", title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] };
}

const TAILNET_HEALTH = `min by (tailnet) (label_replace(envoy_cluster_membership_healthy{${SEL},envoy_cluster_name=~"health-.+"}, "tailnet", "$1", "envoy_cluster_name", "health-(.+)"))`;

const sections: { title: string; panels: PanelSpec[] }[] = [
  {
    title: "Health",
    panels: [
      {
        title: "Tailnet health",
        description:
          "Envoy's health check of each tailnet's containerboot (/healthz): 1 while the node is up, 0 when down. The lowest over the selected pods.",
        type: "state-timeline",
        unit: "none",
        health: true,
        targets: [{ expr: TAILNET_HEALTH, legend: "{{tailnet}}" }],
      },
      {
        title: "Service (target) health",
        description:
          "The health check of each service's target through its tailnet: 1 while it accepts tunnels, 0 when down. The lowest over the selected pods.",
        type: "state-timeline",
        unit: "none",
        health: true,
        targets: [
          {
            expr: `min by (tailnet, service) (envoy_cluster_membership_healthy{${SEL},tailnet!="",service!=""})`,
            legend: "{{tailnet}}/{{service}}",
          },
        ],
      },
    ],
  },
  {
    title: "Traffic",
    panels: [
      {
        title: "New connections",
        description: "Connections accepted per second on each service's port (Envoy's tcp_proxy).",
        type: "timeseries",
        unit: "cps",
        targets: [
          {
            expr: `sum by (tailnet, service) (rate(envoy_tcp_downstream_cx_total{${SEL}}[$__rate_interval]))`,
            legend: "{{tailnet}}/{{service}}",
          },
        ],
      },
      {
        title: "Tunnels opened",
        description: "Connections Envoy opened per second to each tailnet's proxy, one per tunnel.",
        type: "timeseries",
        unit: "cps",
        targets: [
          {
            expr: `sum by (tailnet, service) (rate(envoy_cluster_upstream_cx_total{${SEL},tailnet!=""}[$__rate_interval]))`,
            legend: "{{tailnet}}/{{service}}",
          },
        ],
      },
      {
        title: "Bytes",
        description: "Bytes per second per service: received from the clients (rx) and sent back to them (tx).",
        type: "timeseries",
        unit: "Bps",
        targets: [
          {
            expr: `sum by (tailnet, service) (rate(envoy_tcp_downstream_cx_rx_bytes_total{${SEL}}[$__rate_interval]))`,
            legend: "rx {{tailnet}}/{{service}}",
          },
          {
            expr: `sum by (tailnet, service) (rate(envoy_tcp_downstream_cx_tx_bytes_total{${SEL}}[$__rate_interval]))`,
            legend: "tx {{tailnet}}/{{service}}",
          },
        ],
      },
      {
        title: "Refused connections",
        description:
          "New connections closed unserved, per second: to a target that is down (upstream_cx_none_healthy), and beyond envoy.circuitBreakers.maxPendingRequests (upstream_rq_pending_overflow, access log flag URX).",
        type: "timeseries",
        unit: "cps",
        targets: [
          {
            expr: `sum by (tailnet, service) (rate(envoy_cluster_upstream_cx_none_healthy{${SEL},tailnet!=""}[$__rate_interval]))`,
            legend: "target down {{tailnet}}/{{service}}",
          },
          {
            expr: `sum by (envoy_cluster_name, tailnet, service) (rate(envoy_cluster_upstream_rq_pending_overflow{${SEL}}[$__rate_interval]))`,
            legend: "pending overflow {{envoy_cluster_name}} {{tailnet}}/{{service}}",
          },
        ],
      },
    ],
  },
  {
    title: "Resources",
    panels: [
      {
        title: "CPU per container",
        description:
          "CPU used by each container of the selected pods, in cores (cAdvisor's container_cpu_usage_seconds_total: Envoy exports no CPU metric).",
        type: "timeseries",
        unit: "short",
        targets: [
          {
            expr: `sum by (pod, container) (rate(container_cpu_usage_seconds_total{${CONTAINERS}}[$__rate_interval]))`,
            legend: "{{pod}} {{container}}",
          },
        ],
      },
      {
        title: "Memory per container",
        description:
          "Working set of each container of the selected pods (cAdvisor's container_memory_working_set_bytes).",
        type: "timeseries",
        unit: "bytes",
        targets: [
          {
            expr: `sum by (pod, container) (container_memory_working_set_bytes{${CONTAINERS}})`,
            legend: "{{pod}} {{container}}",
          },
        ],
      },
    ],
  },
];

function variable(name: string, label: string, query: string, multi: boolean): Json {
  return {
    name,
    label,
    type: "query",
    datasource: DS,
    definition: query,
    query: { query, refId: `${name}-var` },
    refresh: 2,
    sort: 1,
    multi,
    includeAll: multi,
    current: {},
    options: [],
    hide: 0,
  };
}

export function dashboard(): Json {
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const s of sections) {
    panels.push(row(s.title, id++, y++));
    s.panels.forEach((p, i) => {
      panels.push(panel(p, id++, (i % 2) * 12, y + Math.floor(i / 2) * 8));
    });
    y += Math.ceil(s.panels.length / 2) * 8;
  }
  return {
    uid: "tailscale-egress",
    title: "tailscale-egress",
    description:
      "Tailnets, services, traffic and resources of tailscale-egress releases (the chart's metrics.dashboard).",
    tags: ["tailscale-egress", "envoy", "tailscale"],
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    timezone: "",
    graphTooltip: 1,
    links: [],
    annotations: { list: [] },
    templating: {
      list: [
        {
          name: "datasource",
          label: "Data source",
          type: "datasource",
          query: "prometheus",
          current: {},
          hide: 0,
          refresh: 1,
        },
        variable("namespace", "Namespace", "label_values(envoy_server_state, namespace)", false),
        variable("job", "Release (Service)", 'label_values(envoy_server_state{namespace="$namespace"}, job)', false),
        variable("pod", "Pod", 'label_values(envoy_server_state{namespace="$namespace",job="$job"}, pod)', true),
      ],
    },
    panels,
  };
}

/** files/dashboard.json: two-space indented, with a final newline. */
export const dashboardJson = (): string => `${JSON.stringify(dashboard(), null, 2)}\n`;
