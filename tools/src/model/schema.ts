// The one source of the values model. `npm run gen` derives from it:
//   values.schema.json        (JSON Schema draft-07: Helm <= 3.18.4 validates with a draft-07 library)
//   values.yaml               (the defaults, each documented with its description)
//   tools/src/generated/values.ts (TypeScript types, via json-schema-to-typescript)
// Rules that span fields (port collisions, auth, name lengths) live in tools/src/values/rules.ts and
// templates/_validate.tpl; keep the two in step (test/invalid proves they agree).
import type { JSONSchema4, JSONSchema4Type } from "json-schema";
import { MAX_PORT, MAX_SERVICES_PER_TAILNET, MAX_SLOT, MAX_TAILNETS } from "./constants.ts";

export type Schema = JSONSchema4;

const str = (description: string, extra: Schema = {}): Schema => ({ type: "string", description, ...extra });
const bool = (description: string, dflt: boolean): Schema => ({ type: "boolean", description, default: dflt });
const stringMap = (description: string): Schema => ({
  type: "object",
  description,
  additionalProperties: { type: "string" },
  default: {},
});
const freeObject = (description: string, dflt: JSONSchema4Type = {}): Schema => ({
  type: "object",
  description,
  default: dflt,
});
const port = (description: string, dflt?: number): Schema => ({
  type: "integer",
  minimum: 1,
  maximum: MAX_PORT,
  description,
  ...(dflt === undefined ? {} : { default: dflt }),
});
// No `pattern`: Helm's validators would only print the regex. The cross-field rules check the form and say
// what is allowed ("must be a duration greater than 0, such as 500ms, 5s or 1.5s").
const duration = (description: string, dflt?: string): Schema => ({
  type: "string",
  description: `${description} A duration in ms or s, such as 500ms, 5s or 1.5s.`,
  ...(dflt === undefined ? {} : { default: dflt }),
});

/** One alert of metrics.prometheusRule: on/off, `for`, severity, and for counting alerts a window and threshold. */
const alertRule = (
  what: string,
  forDefault: string,
  severity: string,
  counted?: { window: string; threshold: number; what: string },
): Schema => ({
  type: "object",
  description: `${what}.`,
  additionalProperties: false,
  default: {},
  properties: {
    enabled: bool("Render this alert.", true),
    for: str(
      "How long the condition must hold before the alert fires (Prometheus duration: a whole number and one unit of ms, s, m, h, d, w or y; 0s fires at once).",
      { default: forDefault },
    ),
    severity: str("The alert's severity label.", { default: severity }),
    ...(counted === undefined
      ? {}
      : {
          window: str(`Time over which the ${counted.what} are counted (a Prometheus duration greater than 0).`, {
            default: counted.window,
          }),
          threshold: {
            type: "integer",
            minimum: 0,
            description: `Fires when more ${counted.what} than this were counted in the window, per pod.`,
            default: counted.threshold,
          },
        }),
  },
});

const probe = (
  what: string,
  dflt: { periodSeconds: number; timeoutSeconds: number; failureThreshold: number },
  enabled = true,
  note = "",
): Schema => ({
  type: "object",
  description: `${what} probe timings.${note ? ` ${note}` : ""}`,
  additionalProperties: false,
  default: { enabled, ...dflt },
  properties: {
    enabled: bool("Render this probe.", enabled),
    periodSeconds: { type: "integer", minimum: 1, description: "Seconds between probes.", default: dflt.periodSeconds },
    timeoutSeconds: {
      type: "integer",
      minimum: 1,
      description: "Seconds before a probe times out.",
      default: dflt.timeoutSeconds,
    },
    failureThreshold: {
      type: "integer",
      minimum: 1,
      description: "Failures in a row before the probe fails.",
      default: dflt.failureThreshold,
    },
  },
});

const image = (what: string, repository: string, tag: string): Schema => ({
  type: "object",
  description: `The ${what} image.`,
  additionalProperties: false,
  default: { registry: "docker.io", repository, tag, digest: "", pullPolicy: "IfNotPresent" },
  properties: {
    registry: str("Registry host. Overridden by global.imageRegistry when that is set.", { default: "docker.io" }),
    repository: str("Repository within the registry.", { minLength: 1, default: repository }),
    tag: str("Image tag.", { default: tag }),
    digest: str("Image digest (sha256:...). When set it is used instead of the tag.", {
      pattern: "^(sha256:[a-f0-9]{64})?$",
      default: "",
    }),
    pullPolicy: {
      type: "string",
      enum: ["Always", "IfNotPresent", "Never"],
      description: "Kubernetes imagePullPolicy.",
      default: "IfNotPresent",
    },
  },
});

const resources = (what: string): Schema => ({
  type: "object",
  description: `CPU and memory requests and limits of the ${what} container(s) (a Kubernetes ResourceRequirements).`,
  additionalProperties: false,
  properties: {
    requests: stringOrNumberMap("Resource requests, e.g. {cpu: 50m, memory: 64Mi}."),
    limits: stringOrNumberMap("Resource limits, e.g. {memory: 256Mi}."),
  },
  default: {},
});

/** A Secret the user manages, by name, with the keys to read (each optional, with its default in the description). */
function userSecret(description: string, keys: Record<string, string>): Schema {
  const keySchemas = Object.fromEntries(Object.entries(keys).map(([k, d]) => [k, str(d, { minLength: 1 })]));
  return {
    type: "object",
    description,
    additionalProperties: false,
    required: ["name"],
    properties: { name: str("Name of the Secret, in the release namespace.", { minLength: 1 }), ...keySchemas },
  };
}

function stringOrNumberMap(description: string): Schema {
  return { type: "object", description, additionalProperties: { type: ["string", "number"] } };
}

export const serviceSchema: Schema = {
  title: "TailnetService",
  type: "object",
  description: "One TCP service inside the tailnet, reached through its own Service port and Envoy listener.",
  additionalProperties: false,
  required: ["host", "port"],
  properties: {
    host: str(
      "Target host inside the tailnet: a MagicDNS name, an FQDN, or a tailnet IP (100.64.0.0/10 or fd7a:115c:a1e0::/48). No scheme, path, port or spaces.",
      { minLength: 1 },
    ),
    port: port("Target TCP port on the host."),
    name: str(
      "Optional name: the Kubernetes Service port name and the Envoy stats name. Lowercase letters, digits and '-', at most 15 characters, unique across all tailnets. Default: tcp-<listenPort>.",
    ),
    protocol: {
      type: "string",
      enum: ["tcp", "udp"],
      description:
        "Transport protocol. Only tcp works: traffic is carried in an HTTP CONNECT tunnel, which cannot carry UDP, so udp is refused with that reason.",
    },
    listenPort: port(
      "Pins the Service and Envoy listener port of this service. Default: 10000 + slot*1000 + index. Pin ports that F5 XC origin pools point at, so removing an earlier service cannot move them.",
    ),
    connectTimeout: duration(
      "Time allowed to connect to the tailnet's loopback HTTP proxy for this service, overriding the tailnet's and envoy.connectTimeout. It does not bound the tunnel to the target: see envoy.connectTimeout.",
    ),
    targetCheck: {
      type: "boolean",
      description:
        "Check this service's target through the tunnel (envoy.targetCheck). false: the target sees no probe connections, and the service follows its tailnet's health (containerboot's /healthz) instead, at /ready/<tailnet>/<service> and for new connections. Default: envoy.targetCheck.enabled.",
    },
  },
};

export const tailnetSchema: Schema = {
  title: "Tailnet",
  type: "object",
  description: "One tailnet: its own Tailscale container, auth key, node state, HTTP proxy and services.",
  additionalProperties: false,
  required: ["name", "services"],
  properties: {
    name: str(
      "DNS-1123 label, unique. Names the container (ts-<name>), its Secrets, its Envoy cluster and its stats.",
      { minLength: 1, maxLength: 63 },
    ),
    authKey: str(
      "Tailscale auth key. The chart stores it in a Secret it creates. Give exactly one of authKey, existingSecret and oauth.",
      { minLength: 1 },
    ),
    existingSecret: userSecret(
      "A Secret you manage that holds the auth key. Give exactly one of authKey, existingSecret and oauth.",
      {
        key: "Key within the Secret. Default: authkey.",
      },
    ),
    oauth: {
      type: "object",
      description:
        "Tailscale OAuth client credentials instead of an auth key (containerboot's TS_CLIENT_ID and TS_CLIENT_SECRET): at each login containerboot mints a new auth key with the node's ACL tags (required), ephemeral unless the secret ends in ?ephemeral=false. They do not expire like auth keys. Tailscale's own control server only: headscale has no OAuth clients. Give either clientId and clientSecret, or existingSecret; and exactly one of authKey, existingSecret and oauth.",
      additionalProperties: false,
      properties: {
        clientId: str("OAuth client ID. The chart stores it in a Secret it creates.", { minLength: 1 }),
        clientSecret: str("OAuth client secret (tskey-client-...). The chart stores it in a Secret it creates.", {
          minLength: 1,
        }),
        existingSecret: userSecret("A Secret you manage that holds the client ID and secret.", {
          clientIdKey: "Key of the client ID. Default: client_id.",
          clientSecretKey: "Key of the client secret. Default: client_secret.",
        }),
      },
    },
    loginServer: str("Control server URL (e.g. https://headscale.example.com). Default: Tailscale's own."),
    hostname: str(
      "Node name in the tailnet. May use $(POD_NAME). Default: $(POD_NAME)-<name>, prefixed with the F5 XC site name when tailscale.hostname.includeSiteName is true.",
    ),
    tags: {
      type: "array",
      description: "ACL tags the node advertises (each 'tag:<name>'). Default: tailscale.tags.",
      items: { type: "string" },
    },
    slot: {
      type: "integer",
      minimum: 0,
      maximum: MAX_SLOT,
      description: `Pins this tailnet's port block: services get 10000 + slot*1000 + index and the proxy 127.0.0.1:(10550 + slot). Default: the tailnet's index. 0..${MAX_SLOT}.`,
    },
    connectTimeout: duration(
      "Default time allowed to connect to this tailnet's loopback HTTP proxy, for its services, overriding envoy.connectTimeout. It does not bound the tunnel to the target: see envoy.connectTimeout.",
    ),
    services: {
      type: "array",
      description: `Services reached in this tailnet, at most ${MAX_SERVICES_PER_TAILNET}.`,
      minItems: 1,
      maxItems: MAX_SERVICES_PER_TAILNET,
      items: serviceSchema,
    },
  },
};

export const valuesSchema: Schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  description: "Values of the tailscale-egress chart: F5 XC to many tailnets through one pod.",
  type: "object",
  additionalProperties: false,
  required: ["tailnets"],
  properties: {
    global: {
      type: "object",
      description: "Values shared with parent charts.",
      additionalProperties: true,
      default: {},
      properties: {
        imageRegistry: str(
          "Registry that replaces every image's registry, e.g. a mirror to avoid Docker Hub pull limits.",
        ),
      },
    },
    nameOverride: str("Replaces the chart name in resource names.", { default: "" }),
    fullnameOverride: str("Replaces the full resource name prefix.", { default: "" }),
    replicas: {
      type: "integer",
      minimum: 1,
      maximum: 10,
      description: "Pod replicas. Each registers its own node in every tailnet, with its own state Secret.",
      default: 1,
    },
    tailnets: {
      type: "array",
      description: `The tailnets to reach, at most ${MAX_TAILNETS}. Tailnet t (or its slot) owns ports 10000 + t*1000 ...`,
      minItems: 1,
      maxItems: MAX_TAILNETS,
      items: tailnetSchema,
      default: [],
    },
    tailscale: {
      type: "object",
      description: "Settings shared by every Tailscale container.",
      additionalProperties: false,
      default: {},
      properties: {
        image: image("Tailscale (containerboot)", "tailscale/tailscale", "v1.102.5"),
        tags: {
          type: "array",
          items: { type: "string" },
          description: "ACL tags every node advertises unless its tailnet sets tags. Empty advertises none.",
          default: ["tag:f5xc-egress"],
        },
        state: {
          type: "string",
          enum: ["kubeSecret", "emptyDir"],
          description:
            "Where node state lives. emptyDir (default): in the pod, lost when the pod is deleted, so every new pod registers its nodes again and needs a reusable, ephemeral auth key (or oauth); it needs no Kubernetes API, so it works where the pod's ServiceAccount token cannot reach the API or is denied, as may be the case on F5 XC vK8s. kubeSecret: a Secret per pod and tailnet (<pod>-<tailnet>-state) kept through the Kubernetes API, so a restarted or rescheduled pod keeps its node identity and a one-off key is enough; containerboot exits at start when the API is unreachable or denies the token (then the container's log names this value), and keeps state in the pod when no token is mounted.",
          default: "emptyDir",
        },
        hostname: {
          type: "object",
          description: "How default node names are built.",
          additionalProperties: false,
          default: {},
          properties: {
            includeSiteName: bool(
              "Prefix node names with the F5 XC site name ($VES_IO_SITENAME, set by F5 XC in each site), so each site's copy of the pod registers a distinct node. No effect where the variable is unset.",
              true,
            ),
          },
        },
        resources: resources("Tailscale"),
        localPortBase: port(
          "Each tailnet's containerboot serves /healthz and /metrics on 127.0.0.1:(localPortBase + slot), loopback only; Envoy's health port publishes them.",
          10700,
        ),
        probes: {
          type: "object",
          description:
            "Probes of each Tailscale container, answered through Envoy's health port at /ready/<tailnet> (the node has a tailnet IP).",
          additionalProperties: false,
          default: {},
          properties: {
            startup: probe("Startup (covers the first login)", {
              periodSeconds: 2,
              timeoutSeconds: 2,
              failureThreshold: 90,
            }),
            readiness: probe(
              "Readiness",
              { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
              false,
              "Off by default: Kubernetes makes a pod Ready only while every container is, so this probe takes " +
                "every tailnet's ports off the Service while any one tailnet is down. Per-tailnet health stays at " +
                "/ready/<tailnet> for F5 XC health checks and `helm test`. On: the pod is Ready only while every " +
                "tailnet is up (with one replica the Service still keeps it unless service.publishNotReadyAddresses " +
                "is false).",
            ),
            liveness: probe(
              "Liveness. Off by default: containerboot exits when tailscaled dies, and a liveness probe through Envoy would restart every tailnet when Envoy restarts",
              { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 },
              false,
            ),
          },
        },
        extraEnv: {
          type: "array",
          description: "Extra environment variables for every Tailscale container (Kubernetes EnvVar objects).",
          items: { type: "object" },
          default: [],
        },
      },
    },
    envoy: {
      type: "object",
      description: "Settings of the Envoy container.",
      additionalProperties: false,
      default: {},
      properties: {
        image: image("Envoy", "envoyproxy/envoy", "distroless-v1.40.0"),
        resources: resources("Envoy"),
        concurrency: {
          type: "integer",
          minimum: 1,
          description:
            "Envoy's worker threads (--concurrency). Default: envoy.resources.limits.cpu rounded up to whole cores (at least 1), or 2 when no CPU limit is set; without it Envoy would start one worker per hardware thread of the node.",
        },
        adminPort: port("Envoy admin port, bound to 127.0.0.1 only.", 10500),
        healthPort: port(
          "Health and metrics port on the pod IP (and the Service): /live, /ready, /ready/<tailnet>, /ready/<tailnet>/<service>, /stats/prometheus, /metrics/<tailnet>. Probes and F5 XC health checks use it.",
          10501,
        ),
        connectTimeout: duration(
          "Default time allowed to connect to a tailnet's loopback HTTP proxy (Envoy's cluster connect_timeout), for every service. It does not bound the CONNECT to the target: Envoy 1.40 has no timeout for a CONNECT that gets no answer, so a connection accepted before envoy.targetCheck found its target dead or black-holed (or to a service with targetCheck false) stays open, carrying nothing, until envoy.idleTimeout closes it; once the check has failed, new connections are closed at once.",
          "5s",
        ),
        idleTimeout: duration(
          "Closes a tunnelled connection with no traffic in either direction for this long. The timer starts when the connection is accepted, so it also closes a connection whose CONNECT never gets an answer (a dead or black-holed target), with response flag UF in the access log and tcp.<tailnet>.<service>.idle_timeout counted.",
          "3600s",
        ),
        bufferLimitBytes: {
          type: "integer",
          minimum: 1024,
          description:
            "Per-connection buffer limit of listeners and clusters: how much Envoy queues for a connection before it stops reading the other side. 128 KiB cost 6-23% less Envoy CPU per GiB than 32 KiB (Envoy's edge guidance) in every repeated A/B run here, about as little as 256 KiB and 1 MiB (Envoy's own default); a connection whose reader is slower than its writer may hold up to this much per direction.",
          default: 131072,
        },
        maxDownstreamConnections: {
          type: "integer",
          minimum: 1,
          description: "Overload manager: global limit of open downstream connections (the health port is exempt).",
          default: 50000,
        },
        circuitBreakers: {
          type: "object",
          description: "Circuit breaker thresholds of each service's cluster (one per service).",
          additionalProperties: false,
          default: {},
          properties: {
            maxConnections: {
              type: "integer",
              minimum: 1,
              description: "Open tunnels of one service to its tailnet's proxy.",
              default: 10000,
            },
            maxPendingRequests: {
              type: "integer",
              minimum: 1,
              description:
                "Tunnels of one service waiting for their connection to the tailnet's proxy, as in a burst of new connections; beyond it new connections are refused (upstream_rq_pending_overflow, access log flag URX). Each waiting tunnel held about 22 KiB of Envoy memory (npm run bench -- pending).",
              default: 4096,
            },
            maxRequests: {
              type: "integer",
              minimum: 1,
              description: "Concurrent CONNECT requests of one service.",
              default: 10000,
            },
          },
        },
        healthCheck: {
          type: "object",
          description:
            "Envoy's active health check of each tailnet (containerboot's /healthz). A failing tailnet's ports close at once instead of hanging.",
          additionalProperties: false,
          default: {},
          properties: {
            interval: duration("Time between checks.", "5s"),
            timeout: duration("Time to wait for a check.", "1s"),
            unhealthyThreshold: {
              type: "integer",
              minimum: 1,
              description: "Failures before a tailnet is unhealthy.",
              default: 2,
            },
            healthyThreshold: {
              type: "integer",
              minimum: 1,
              description: "Successes before a tailnet is healthy again.",
              default: 1,
            },
          },
        },
        targetCheck: {
          type: "object",
          description:
            "Envoy's active check of each service's target, through its tailnet's HTTP proxy: every interval it opens a tunnel (CONNECT host:port) and closes it as soon as the proxy answers HTTP/1.1 200. A service whose target fails it answers 503 at /ready/<tailnet>/<service> and closes new connections at once (access log flag UH) until the target answers again. Each target receives 60/interval probe connections a minute from each pod (on F5 XC vK8s, times the number of sites).",
          additionalProperties: false,
          default: {},
          properties: {
            enabled: bool("Check every service's target unless the service sets targetCheck: false.", true),
            interval: duration("Time between checks of one target.", "5s"),
            timeout: duration(
              "Time to wait for the proxy's answer to a check; a target that does not answer (a stopped node, a black hole) fails after it.",
              "2s",
            ),
            unhealthyThreshold: {
              type: "integer",
              minimum: 1,
              maximum: 16,
              description: "Failed checks in a row before a target is down.",
              default: 2,
            },
            healthyThreshold: {
              type: "integer",
              minimum: 1,
              maximum: 16,
              description: "Passed checks in a row before a target that was down is up again.",
              default: 1,
            },
          },
        },
        rolloutOnConfigChange: bool(
          "Put a checksum of the Envoy ConfigMap on the pod template, so that every service edit restarts the pod (with its drain) instead of reaching the running Envoy through the kubelet's ConfigMap sync, which takes up to its syncFrequency (about a minute with kubelet defaults) but keeps every connection.",
          false,
        ),
        accessLog: bool(
          "Write a JSON access log line per connection to stdout: tailnet, service, target, response flags, upstream failure reason, bytes and duration.",
          true,
        ),
        probes: {
          type: "object",
          description: "Probes of the Envoy container, on the health port.",
          additionalProperties: false,
          default: {},
          properties: {
            startup: probe("Startup (/live)", { periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 30 }),
            liveness: probe("Liveness (/live)", { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }),
            readiness: probe("Readiness (/ready: Envoy is live and not draining)", {
              periodSeconds: 5,
              timeoutSeconds: 2,
              failureThreshold: 1,
            }),
          },
        },
        logLevel: {
          type: "string",
          enum: ["trace", "debug", "info", "warning", "error", "critical", "off"],
          description: "Envoy log level.",
          default: "info",
        },
      },
    },
    service: {
      type: "object",
      description: "The Kubernetes Service that F5 XC origin pools point at.",
      additionalProperties: false,
      default: {},
      properties: {
        type: {
          type: "string",
          enum: ["ClusterIP", "NodePort", "LoadBalancer"],
          description: "Service type.",
          default: "ClusterIP",
        },
        annotations: stringMap("Service annotations."),
        labels: stringMap("Extra Service labels."),
        publishNotReadyAddresses: {
          type: "boolean",
          description:
            "Keep the pod on the Service while it is not Ready. Default: true with one replica, false with more. Kubernetes makes a pod NotReady while any one container restarts, which would take every tailnet's ports off the Service for one tailnet's restart; with a single replica there is no other pod to send connections to, so keeping it serves the other tailnets throughout (and connections that arrive during the drain are served until the pod stops). With more replicas, readiness routes new connections to the pods that are Ready. Per-tailnet health stays at /ready/<tailnet> for F5 XC health checks.",
        },
      },
    },
    termination: {
      type: "object",
      description: "Graceful shutdown: the pod first fails readiness, then lets open connections drain, then exits.",
      additionalProperties: false,
      default: {},
      properties: {
        drainSeconds: {
          type: "integer",
          minimum: 1,
          maximum: 3600,
          description: "Seconds between failing readiness and stopping. terminationGracePeriodSeconds is this plus 15.",
          default: 15,
        },
      },
    },
    podDisruptionBudget: {
      type: "object",
      description:
        "A PodDisruptionBudget for the replicas. Off by default: F5 XC vK8s does not offer the kind (F5's list of the resources vK8s accepts has no PodDisruptionBudget, so installing one there is refused), and with one replica, the default, a budget of maxUnavailable 1 protects nothing. Turn it on with replicas > 1 on a cluster that offers it.",
      additionalProperties: false,
      default: {},
      properties: {
        enabled: bool("Render the PodDisruptionBudget. Not on F5 XC vK8s, which refuses the kind.", false),
        maxUnavailable: {
          type: ["integer", "string"],
          description:
            "maxUnavailable (a number or a percentage). On a cluster that runs a copy of the release per site, as F5 XC does, it counts within each site's cluster.",
          default: 1,
        },
      },
    },
    topologySpread: {
      type: "object",
      description: "Spreads replicas across nodes (or another topology key).",
      additionalProperties: false,
      default: {},
      properties: {
        enabled: bool("Render a topologySpreadConstraint.", true),
        topologyKey: str("Node label to spread over.", { default: "kubernetes.io/hostname" }),
        maxSkew: { type: "integer", minimum: 1, description: "Allowed skew between domains.", default: 1 },
        whenUnsatisfiable: {
          type: "string",
          enum: ["ScheduleAnyway", "DoNotSchedule"],
          description: "What the scheduler does when the spread cannot be met.",
          default: "ScheduleAnyway",
        },
      },
    },
    networkPolicy: {
      type: "object",
      description: "An optional NetworkPolicy limiting ingress to the service and health ports from the given sources.",
      additionalProperties: false,
      default: {},
      properties: {
        enabled: bool("Render the NetworkPolicy.", false),
        from: {
          type: "array",
          items: { type: "object" },
          description:
            "NetworkPolicyPeer objects allowed to connect (e.g. the F5 XC site's pods or CIDRs). Empty allows every source, on those ports only.",
          default: [],
        },
      },
    },
    metrics: {
      type: "object",
      description: "Prometheus metrics, served on envoy.healthPort.",
      additionalProperties: false,
      default: {},
      properties: {
        serviceMonitor: {
          type: "object",
          description:
            "A prometheus-operator ServiceMonitor, rendered only when enabled and the cluster has the monitoring.coreos.com/v1 API.",
          additionalProperties: false,
          default: {},
          properties: {
            enabled: bool("Render the ServiceMonitor.", false),
            interval: str("Scrape interval.", { default: "30s" }),
            labels: stringMap("Extra ServiceMonitor labels, e.g. the release label your Prometheus selects."),
          },
        },
        prometheusRule: {
          type: "object",
          description:
            "A prometheus-operator PrometheusRule with the chart's alerts (docs/runbooks.md), rendered only when enabled and the cluster has the monitoring.coreos.com/v1 API. F5 XC vK8s has no such API: leave it off there.",
          additionalProperties: false,
          default: {},
          properties: {
            enabled: bool("Render the PrometheusRule.", false),
            labels: stringMap("Extra PrometheusRule labels, e.g. the release label your Prometheus selects rules by."),
            selector: str(
              'PromQL label matchers that pick this release\'s series, without braces. Default: namespace="<release namespace>",job="<fullname>", the labels the chart\'s ServiceMonitor gives them.',
              { default: "" },
            ),
            runbookBaseUrl: str(
              "URL of the runbooks page; each alert's runbook_url annotation is this URL plus #<alert name in lowercase>. Default: docs/runbooks.md in the chart's repository (Chart.yaml home) at tag v<chart version>.",
              { default: "" },
            ),
            alerts: {
              type: "object",
              description: "The alerts, each with its own switch, duration (for), severity label and threshold.",
              additionalProperties: false,
              default: {},
              properties: {
                tailnetDown: alertRule("A tailnet's node is down in a pod (its health gauge is 0)", "2m", "critical"),
                targetDown: alertRule(
                  "A service's target is down in a pod (its health gauge is 0), unless its whole tailnet is down",
                  "2m",
                  "warning",
                ),
                pendingOverflow: alertRule(
                  "New connections refused because too many waited for the tailnet's proxy (upstream_rq_pending_overflow)",
                  "0s",
                  "warning",
                  { window: "5m", threshold: 0, what: "refused connections" },
                ),
                configRejected: alertRule(
                  "Envoy rejected an update of its listeners or clusters (lds/cds update_rejected) and kept its previous config",
                  "0s",
                  "warning",
                  { window: "15m", threshold: 0, what: "rejected updates" },
                ),
                envoyNotReady: alertRule(
                  "Envoy is not live (envoy_server_state not 0) or its metrics cannot be scraped (up is 0)",
                  "5m",
                  "critical",
                ),
              },
            },
          },
        },
        dashboard: {
          type: "object",
          description:
            'A Grafana dashboard (tailnet and service health, connections, bytes, refusals, CPU and memory per container) in a ConfigMap labelled grafana_dashboard: "1", which the Grafana sidecar of kube-prometheus-stack loads. A plain ConfigMap: it installs anywhere, vK8s included. Its uid is fixed (tailscale-egress) and its variables pick the namespace, release and pods, so enable it in one release per Grafana.',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: bool("Render the dashboard's ConfigMap.", false),
            namespace: str(
              "Namespace of the ConfigMap, e.g. the one your Grafana sidecar watches. Default: the release namespace.",
              { default: "" },
            ),
            labels: stringMap(
              'Extra ConfigMap labels, merged over grafana_dashboard: "1" (set that key to match a sidecar that looks for another value).',
            ),
            annotations: stringMap(
              "ConfigMap annotations, e.g. {grafana_folder: Networking} for the sidecar's folder annotation.",
            ),
          },
        },
      },
    },
    serviceAccount: {
      type: "object",
      description: "The pod's ServiceAccount.",
      additionalProperties: false,
      default: {},
      properties: {
        create: bool(
          "Create a ServiceAccount. When false the pod runs as serviceAccount.name, which you manage (default: the namespace's default ServiceAccount; with rbac.create and tailscale.state kubeSecret a name is required).",
          true,
        ),
        name: str(
          "Name of the ServiceAccount to use. Default: the full name when created, else the namespace's default one.",
          { default: "" },
        ),
        annotations: stringMap("ServiceAccount annotations."),
      },
    },
    rbac: {
      type: "object",
      description: "Role and RoleBinding that let the Tailscale containers keep their state Secrets.",
      additionalProperties: false,
      default: {},
      properties: {
        create: bool(
          "Create the Role and RoleBinding (only with tailscale.state kubeSecret). When false with kubeSecret state, bring your own that grant the pod's ServiceAccount what templates/role.yaml grants on the state Secrets, or the Tailscale containers cannot keep their state.",
          true,
        ),
      },
    },
    tests: {
      type: "object",
      description:
        "The `helm test` hook: for each tailnet it asks Envoy's `/ready/<tailnet>` on the health port, then for each of its services `/ready/<tailnet>/<service>`, and connects to the service's port of the release Service; it names the ports that fail and their tailnet, and fails a port without connecting when its tailnet or its target is not ready. Its script is files/check-ports.sh, which also runs outside the cluster.",
      additionalProperties: false,
      default: {},
      properties: {
        enabled: bool("Render the test (a helm.sh/hook: test, run only by helm test).", true),
        kind: {
          type: "string",
          enum: ["Job", "Pod"],
          description:
            "What `helm test` creates. Job (default): a Job of one pod that is never retried (backoffLimit 0), which F5 XC vK8s accepts; Helm waits for it to complete, and `helm test --logs` cannot show its output (Helm 3 asks for a Pod of the Job's name, Helm 4 skips hooks that are not Pods; helm/helm#11236), so read it with `kubectl logs job/<release fullname>-test-connection` (a failed Job is kept until the next `helm test`). Pod: a bare Pod, whose output `helm test --logs` prints; vK8s refuses to create bare Pods.",
          default: "Job",
        },
        activeDeadlineSeconds: {
          type: "integer",
          minimum: 10,
          maximum: 3600,
          description:
            "Seconds the test may run, scheduling and image pull included, before Kubernetes stops and fails it (activeDeadlineSeconds of the Job, or of the Pod). Below `helm test`'s default --timeout of 5m, so a hung test fails as the test, once, instead of as Helm's timeout.",
          default: 180,
        },
        image: image("connection test", "library/busybox", "1.37.0"),
        connectTimeout: {
          type: "integer",
          minimum: 1,
          maximum: 60,
          description: "Seconds to wait for each TCP connection (nc -w) and each `/ready/<tailnet>` request (wget -T).",
          default: 3,
        },
        resources: resources("connection test"),
      },
    },
    labels: stringMap("Labels added to every resource."),
    annotations: stringMap("Annotations of the StatefulSet."),
    podLabels: stringMap("Extra pod labels."),
    podAnnotations: stringMap(
      "Pod annotations. On F5 XC virtual K8s, ves.io/virtual-sites places the pod, e.g. {ves.io/virtual-sites: my-ns/my-vsite}.",
    ),
    nodeSelector: stringMap("Pod nodeSelector."),
    tolerations: { type: "array", items: { type: "object" }, description: "Pod tolerations.", default: [] },
    affinity: freeObject("Pod affinity."),
    imagePullSecrets: {
      type: "array",
      description: "Image pull Secrets, e.g. [{name: regcred}].",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name"],
        properties: { name: str("Secret name.", { minLength: 1 }) },
      },
      default: [],
    },
    priorityClassName: str("Pod priorityClassName.", { default: "" }),
    podSecurityContext: freeObject(
      "Pod securityContext. The default meets the Kubernetes 'restricted' Pod Security Standard: no container needs root or any capability (Tailscale runs in userspace mode).",
      {
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        fsGroup: 65532,
        seccompProfile: { type: "RuntimeDefault" },
      },
    ),
    securityContext: freeObject(
      "securityContext of every container. The default meets the 'restricted' Pod Security Standard.",
      {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
      },
    ),
  },
};
