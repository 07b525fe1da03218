// The one source of the values model. `npm run gen` derives from it:
//   values.schema.json        (JSON Schema draft-07: Helm <= 3.18.4 validates with a draft-07 library)
//   values.yaml               (the defaults, each documented with its description)
//   tools/src/generated/values.ts (TypeScript types, via json-schema-to-typescript)
// Rules that span fields (port collisions, auth, name lengths) live in tools/src/values/rules.ts and
// templates/_validate.tpl; keep the two in step (test/invalid proves they agree).
import type { JSONSchema4, JSONSchema4Type } from "json-schema";
import {
  MAX_PORT,
  MAX_SERVICES_PER_TAILNET,
  MAX_SLOT,
  MAX_TAILNETS,
} from "./constants.ts";

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
      "Connect timeout for this service, overriding the tailnet's and envoy.connectTimeout.",
    ),
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
      "Tailscale auth key. The chart stores it in a Secret it creates. Give exactly one of authKey and existingSecret.",
      { minLength: 1 },
    ),
    existingSecret: {
      type: "object",
      description: "A Secret you manage that holds the auth key. Give exactly one of authKey and existingSecret.",
      additionalProperties: false,
      required: ["name"],
      properties: {
        name: str("Name of the Secret, in the release namespace.", { minLength: 1 }),
        key: str("Key within the Secret. Default: authkey.", { minLength: 1 }),
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
    connectTimeout: duration("Default connect timeout for this tailnet's services, overriding envoy.connectTimeout."),
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
        imageRegistry: str("Registry that replaces every image's registry, e.g. a mirror to avoid Docker Hub pull limits."),
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
            "Where node state lives. kubeSecret: a Secret per pod and tailnet (<pod>-<tailnet>-state), so a restarted or rescheduled pod keeps its node identity. emptyDir: lost when the pod is deleted.",
          default: "kubeSecret",
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
        adminPort: port("Envoy admin port, bound to 127.0.0.1 only.", 10500),
        connectTimeout: duration("Default connect timeout of every service.", "5s"),
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
      },
    },
    serviceAccount: {
      type: "object",
      description: "The pod's ServiceAccount.",
      additionalProperties: false,
      default: {},
      properties: {
        create: bool("Create a ServiceAccount.", true),
        name: str("Name of the ServiceAccount to use. Default: the full name.", { default: "" }),
        annotations: stringMap("ServiceAccount annotations."),
      },
    },
    rbac: {
      type: "object",
      description: "Role and RoleBinding that let the Tailscale containers keep their state Secrets.",
      additionalProperties: false,
      default: {},
      properties: { create: bool("Create the Role and RoleBinding.", true) },
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
      { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
    ),
    securityContext: freeObject("securityContext of every container. The default meets the 'restricted' Pod Security Standard.", {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    }),
  },
};
