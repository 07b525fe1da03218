// The port plan and naming limits that the chart, the schema and the CLI all share.
// templates/_plan.tpl repeats these numbers; test/chart-vs-plan.test.ts proves they agree.

/** Service s of tailnet slot t listens on SERVICE_PORT_BASE + t * SLOT_WIDTH + s. */
export const SERVICE_PORT_BASE = 10000;
export const SLOT_WIDTH = 1000;
/** Tailnet slot t serves its HTTP proxy on 127.0.0.1:(PROXY_PORT_BASE + t). */
export const PROXY_PORT_BASE = 10550;
/** Highest slot whose block still starts inside the port space (10000 + 55 * 1000 = 65000). */
export const MAX_SLOT = 55;
/** Services per tailnet. Keeps slot 0's block (10000-10499) clear of the proxy and reserved ports. */
export const MAX_SERVICES_PER_TAILNET = 500;
export const MAX_TAILNETS = MAX_SLOT + 1;
export const MAX_PORT = 65535;
/** Kubernetes object and container names this chart generates are kept within a DNS-1123 label. */
export const MAX_NAME_LENGTH = 63;
/** IANA service names (Kubernetes port names) are at most 15 characters. */
export const MAX_PORT_NAME_LENGTH = 15;
/** The most data one ConfigMap or Secret may hold: kube-apiserver adds up the byte lengths of the data
 * values (not the keys) and refuses more than this (ValidateConfigMap / ValidateSecret, MaxSecretSize). */
export const MAX_OBJECT_DATA_BYTES = 1_048_576;
