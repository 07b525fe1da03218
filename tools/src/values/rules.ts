// Cross-field rules that JSON Schema cannot say clearly. templates/_validate.tpl applies the same rules,
// in the same order, with the same messages (the chart stops at the first; this returns them all).
import type { Tailnet, Values } from "../generated/values.ts";
import { MAX_NAME_LENGTH, MAX_PORT, MAX_PORT_NAME_LENGTH } from "../model/constants.ts";
import { cpuCores, derivingCpuLimit } from "../plan/concurrency.ts";
import { durationMs } from "../plan/duration.ts";
import { containerName, fullname, stateSecretName } from "../plan/names.ts";
import { HEALTH_PORT_NAME, planPorts } from "../plan/ports.ts";

export interface RuleError {
  path: string;
  message: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const TAG = /^tag:[A-Za-z0-9][-A-Za-z0-9_]*$/;
const LOGIN_SERVER = /^https?:\/\/[^\s/?#]+(\/[^\s]*)?$/;
/** containerboot mints auth keys only from secrets with this prefix (tailscale.com/feature/oauthkey). */
const OAUTH_SECRET_PREFIX = "tskey-client-";
/** The StatefulSet name plus "-" and a 10-character revision hash must fit a 63-character label. */
const MAX_FULLNAME = 52;

export function checkRules(values: Values, release: string): RuleError[] {
  const errors: RuleError[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });
  const full = fullname(values, release);

  if (full.length > MAX_FULLNAME) {
    err(
      "fullnameOverride",
      `the full name "${full}" is ${full.length} characters; it names the StatefulSet and must be at most ${MAX_FULLNAME} (set a shorter release name or fullnameOverride)`,
    );
  }
  values.tailscale.tags.forEach((tag, i) => {
    if (!TAG.test(tag))
      err(`tailscale.tags[${i}]`, `"${tag}" must be an ACL tag of the form tag:<name> (e.g. tag:f5xc-egress)`);
  });
  // The Role grants the state Secrets to the pod's ServiceAccount; never bind it to the namespace's
  // "default" one, which every other pod in the namespace runs as.
  if (
    values.rbac.create &&
    values.tailscale.state === "kubeSecret" &&
    !values.serviceAccount.create &&
    !values.serviceAccount.name
  ) {
    err(
      "serviceAccount.name",
      `rbac.create would bind the state Secrets' Role to the namespace's "default" ServiceAccount, which every other pod there shares: with serviceAccount.create: false, name the ServiceAccount the pod runs as, or set rbac.create: false and bring your own Role and RoleBinding`,
    );
  }

  const seenTailnet = new Map<string, number>();
  const seenSlot = new Map<number, number>();
  const seenPortName = new Map<string, string>();
  values.tailnets.forEach((tn, t) => {
    const p = `tailnets[${t}]`;
    if (!DNS_LABEL.test(tn.name)) {
      err(
        `${p}.name`,
        `"${tn.name}" is not a DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit`,
      );
    }
    const dup = seenTailnet.get(tn.name);
    if (dup !== undefined)
      err(`${p}.name`, `"${tn.name}" is already the name of tailnets[${dup}]; tailnet names must be unique`);
    else seenTailnet.set(tn.name, t);
    for (const generated of generatedNames(values, full, tn.name)) {
      if (generated.length > MAX_NAME_LENGTH) {
        err(
          `${p}.name`,
          `"${tn.name}" makes the name "${generated}" ${generated.length} characters long; names must be at most ${MAX_NAME_LENGTH} (shorten the tailnet name or fullnameOverride)`,
        );
        break;
      }
    }
    const slot = tn.slot ?? t;
    const slotDup = seenSlot.get(slot);
    if (slotDup !== undefined)
      err(`${p}.slot`, `slot ${slot} is already used by tailnets[${slotDup}]; each tailnet needs its own slot (0..55)`);
    else seenSlot.set(slot, t);

    const credentials = (["authKey", "existingSecret", "oauth"] as const).filter((k) => tn[k] !== undefined);
    if (credentials.length !== 1) {
      err(
        p,
        `${credentials.length ? `${credentials.join(" and ")} are set` : "no credentials"}: set exactly one of authKey, existingSecret and oauth`,
      );
    }
    if (tn.oauth !== undefined) checkOauth(p, tn.oauth, tn.tags?.length ? tn.tags : values.tailscale.tags, err);
    if (tn.loginServer !== undefined && !LOGIN_SERVER.test(tn.loginServer)) {
      err(`${p}.loginServer`, `"${tn.loginServer}" is not an http(s) URL (e.g. https://headscale.example.com)`);
    }
    (tn.tags ?? []).forEach((tag, i) => {
      if (!TAG.test(tag))
        err(`${p}.tags[${i}]`, `"${tag}" must be an ACL tag of the form tag:<name> (e.g. tag:f5xc-egress)`);
    });
    if (tn.connectTimeout !== undefined) checkTimeout(`${p}.connectTimeout`, tn.connectTimeout, err);

    tn.services.forEach((svc, s) => {
      const sp = `${p}.services[${s}]`;
      if (!isHost(svc.host)) {
        err(
          `${sp}.host`,
          `"${svc.host}" must be a bare host name or IP address, without scheme, path, port or spaces (e.g. web.corp.ts.net, 100.64.0.5 or fd7a:115c:a1e0::5)`,
        );
      }
      if (svc.protocol === "udp") {
        err(
          `${sp}.protocol`,
          `udp is not supported: traffic is carried in an HTTP CONNECT tunnel, which cannot carry UDP; use tcp`,
        );
      }
      if (svc.connectTimeout !== undefined) checkTimeout(`${sp}.connectTimeout`, svc.connectTimeout, err);
      if (svc.name !== undefined) {
        if (
          !PORT_NAME.test(svc.name) ||
          svc.name.length > MAX_PORT_NAME_LENGTH ||
          !/[a-z]/.test(svc.name) ||
          svc.name.includes("--")
        ) {
          err(
            `${sp}.name`,
            `"${svc.name}" is not a valid port name: use at most ${MAX_PORT_NAME_LENGTH} lowercase letters, digits and '-', with at least one letter, no '--', starting and ending with a letter or digit`,
          );
        }
      }
    });
  });
  checkTimeout("envoy.connectTimeout", values.envoy.connectTimeout, err);
  checkTimeout("envoy.targetCheck.interval", values.envoy.targetCheck.interval, err);
  checkTimeout("envoy.targetCheck.timeout", values.envoy.targetCheck.timeout, err);
  const alerts = values.metrics.prometheusRule.alerts as Record<string, { for: string; window?: string }>;
  for (const name of Object.keys(alerts).sort()) {
    const a = alerts[name]!;
    const p = `metrics.prometheusRule.alerts.${name}`;
    if (!PROM_DURATION.test(a.for)) err(`${p}.for`, `"${a.for}" ${PROM_DURATION_RULE}, such as 0s, 30s, 5m or 1h`);
    if (a.window !== undefined && !PROM_WINDOW.test(a.window))
      err(`${p}.window`, `"${a.window}" ${PROM_DURATION_RULE} greater than 0, such as 30s, 5m or 1h`);
  }
  const cpu = derivingCpuLimit(values);
  if (cpu !== undefined && cpuCores(cpu) === undefined) {
    err(
      "envoy.resources.limits.cpu",
      `"${cpu}" is not a CPU quantity envoy.concurrency can be derived from: use millicores or cores (e.g. 500m, 2 or 1.5), or set envoy.concurrency`,
    );
  }

  // Ports: every port the pod binds is distinct and within range.
  const plan = planPorts(values);
  const owners = new Map<number, string>();
  const claim = (port: number, owner: string, path: string) => {
    if (port > MAX_PORT) err(path, `port ${port} of ${owner} is above ${MAX_PORT}`);
    const prev = owners.get(port);
    if (prev !== undefined)
      err(path, `port ${port} of ${owner} collides with ${prev}; every port in the pod must be distinct`);
    else owners.set(port, owner);
  };
  for (const r of plan.reserved) claim(r.port, r.owner, r.owner);
  for (const tn of plan.tailnets) {
    claim(tn.proxyPort, `the HTTP proxy of ${tn.path} ("${tn.name}")`, `${tn.path}.slot`);
    claim(tn.localPort, `the health and metrics port of ${tn.path} ("${tn.name}")`, `${tn.path}.slot`);
  }
  seenPortName.set(HEALTH_PORT_NAME, "envoy.healthPort");
  for (const svc of plan.services) {
    claim(svc.listenPort, `${svc.path} (tailnet "${svc.tailnet}", host ${svc.host}:${svc.port})`, svc.path);
    const prevName = seenPortName.get(svc.portName);
    if (prevName !== undefined)
      err(
        `${svc.path}.name`,
        `port name "${svc.portName}" is already used by ${prevName}; service names must be unique across all tailnets`,
      );
    else seenPortName.set(svc.portName, svc.path);
  }
  return errors;
}

/** OAuth credentials: inline or from a Secret, a client secret containerboot treats as one, and tags to mint keys with. */
function checkOauth(
  p: string,
  oauth: NonNullable<Tailnet["oauth"]>,
  tags: string[],
  err: (path: string, message: string) => void,
) {
  const inline = oauth.clientId !== undefined || oauth.clientSecret !== undefined;
  if (oauth.existingSecret !== undefined ? inline : oauth.clientId === undefined || oauth.clientSecret === undefined) {
    err(`${p}.oauth`, `give either clientId and clientSecret (kept in the chart's Secret) or existingSecret`);
  }
  if (oauth.clientSecret !== undefined && !oauth.clientSecret.startsWith(OAUTH_SECRET_PREFIX)) {
    err(
      `${p}.oauth.clientSecret`,
      `must be a Tailscale OAuth client secret (${OAUTH_SECRET_PREFIX}...); containerboot would use any other value as an auth key`,
    );
  }
  if (tags.length === 0) {
    err(`${p}.oauth`, `OAuth credentials mint tagged auth keys and need ACL tags: set ${p}.tags or tailscale.tags`);
  }
}

// A Prometheus duration as the alerts use it (`for:` and a range): a whole number and one unit.
const PROM_DURATION = /^[0-9]+(ms|s|m|h|d|w|y)$/;
const PROM_WINDOW = /^0*[1-9][0-9]*(ms|s|m|h|d|w|y)$/;
const PROM_DURATION_RULE = "must be a Prometheus duration (a whole number and one unit of ms, s, m, h, d, w or y)";

function checkTimeout(path: string, text: string, err: (path: string, message: string) => void) {
  const ms = durationMs(text);
  if (ms === undefined || ms < 1) err(path, `"${text}" must be a duration greater than 0, such as 500ms, 5s or 1.5s`);
}

export function isHost(host: string): boolean {
  if (host.length > 253) return false;
  return DNS_NAME.test(host) || IPV6.test(host);
}

/** Every name derived from a tailnet's name, longest first. */
function generatedNames(values: Values, full: string, tailnet: string): string[] {
  const names = [containerName(tailnet), `${containerName(tailnet)}-run`];
  if (values.tailscale.state === "kubeSecret") names.push(stateSecretName(full, values.replicas - 1, tailnet));
  return names.sort((a, b) => b.length - a.length);
}
