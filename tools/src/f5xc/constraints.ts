// Constraints F5 XC's API reference states for the objects tailnet-egress f5xc writes, checked before
// anything is printed or written, so a bad flag is refused here and not by the tenant. Each error names the
// object, the field and what is allowed. The bounds are those of a quotation of the reference
// (healthcheck: interval 1..600, jitter_percent 0 or 10..50, expected_status_codes at most 16, path required
// and at most 2048 characters; origin pool:
// one site locator, one network; names DNS-1035 and at most 64 characters). They could not be checked
// against a live tenant. Names are held to 63, the DNS-1035 label limit, which is the stricter of the two.
import { isXcName, XC_NAME_MAX } from "./names.ts";
import { NETWORKS, type XcObject } from "./objects.ts";

export const INTERVAL_MIN = 1;
export const INTERVAL_MAX = 600;
export const JITTER_MIN = 10;
export const JITTER_MAX = 50;
export const MAX_STATUS_CODES = 16;
export const MAX_PATH = 2048;
const SITE_CHOICES = ["site", "virtual_site"] as const;
/** A status code (200) or a range (200-299). */
const STATUS = /^[1-5][0-9]{2}(-[1-5][0-9]{2})?$/;

export interface XcConstraintError {
  /** "healthcheck <name>" or "origin_pool <name>". */
  object: string;
  /** The field, as a path inside the object (spec.interval). */
  field: string;
  message: string;
}

export const formatXcErrors = (errors: XcConstraintError[]): string =>
  errors.map((e) => `${e.object}: ${e.field}: ${e.message}`).join("\n");

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

export function checkHealthcheck(hc: XcObject): XcConstraintError[] {
  const errors: XcConstraintError[] = [];
  const object = `healthcheck ${hc.metadata.name}`;
  const err = (field: string, message: string) => errors.push({ object, field, message });
  checkName(hc, err);
  const { interval, jitter_percent: jitter, timeout, http_health_check: http } = hc.spec;
  if (!isInt(interval) || interval < INTERVAL_MIN || interval > INTERVAL_MAX) {
    err(
      "spec.interval",
      `${String(interval)} is not allowed: an integer number of seconds, ${INTERVAL_MIN}..${INTERVAL_MAX} (flag --hc-interval)`,
    );
  }
  if (!isInt(jitter) || (jitter !== 0 && (jitter < JITTER_MIN || jitter > JITTER_MAX))) {
    err(
      "spec.jitter_percent",
      `${String(jitter)} is not allowed: 0 (no jitter) or an integer ${JITTER_MIN}..${JITTER_MAX} (flag --hc-jitter-percent)`,
    );
  }
  if (!isInt(timeout) || timeout < 1)
    err(
      "spec.timeout",
      `${String(timeout)} is not allowed: an integer number of seconds, at least 1 (flag --hc-timeout)`,
    );
  const path = isObj(http) ? http.path : undefined;
  if (typeof path !== "string" || !path.startsWith("/") || path.length > MAX_PATH)
    err(
      "spec.http_health_check.path",
      `${JSON.stringify(path)} is not allowed: a path starting with /, at most ${MAX_PATH} characters`,
    );
  const codes = isObj(http) ? http.expected_status_codes : undefined;
  if (!Array.isArray(codes) || codes.length === 0) {
    err(
      "spec.http_health_check.expected_status_codes",
      `must list the healthy status codes explicitly (e.g. ["200"]), at most ${MAX_STATUS_CODES} (flag --hc-expected-status)`,
    );
  } else {
    if (codes.length > MAX_STATUS_CODES)
      err(
        "spec.http_health_check.expected_status_codes",
        `has ${codes.length} entries; at most ${MAX_STATUS_CODES} are allowed (flag --hc-expected-status)`,
      );
    codes.forEach((c, i) => {
      if (typeof c !== "string" || !STATUS.test(c)) {
        err(
          `spec.http_health_check.expected_status_codes[${i}]`,
          `${JSON.stringify(c)} is not a status code (e.g. "200") or a range (e.g. "200-299")`,
        );
      }
    });
  }
  return errors;
}

export function checkOriginPool(pool: XcObject): XcConstraintError[] {
  const errors: XcConstraintError[] = [];
  const object = `origin_pool ${pool.metadata.name}`;
  const err = (field: string, message: string) => errors.push({ object, field, message });
  checkName(pool, err);
  const servers = pool.spec.origin_servers;
  if (!Array.isArray(servers) || servers.length === 0)
    return (err("spec.origin_servers", "must list at least one origin server"), errors);
  servers.forEach((server, i) => {
    const path = `spec.origin_servers[${i}].k8s_service`;
    const k8s = isObj(server) ? server.k8s_service : undefined;
    if (!isObj(k8s)) {
      err(path, "must be set: the pool reaches the release's Kubernetes Service");
      return;
    }
    const locator = k8s.site_locator;
    const sites = isObj(locator) ? SITE_CHOICES.filter((k) => k in locator) : [];
    if (sites.length !== 1) {
      err(
        `${path}.site_locator`,
        `set exactly one of ${SITE_CHOICES.join(" and ")} (found ${sites.length ? sites.join(" and ") : "none"}; flags --site / --virtual-site)`,
      );
    }
    const networks = Object.values(NETWORKS).filter((k) => k in k8s);
    if (networks.length !== 1) {
      err(
        path,
        `set exactly one network choice of ${Object.values(NETWORKS).join(", ")} (found ${networks.length ? networks.join(" and ") : "none"}; flag --network)`,
      );
    }
  });
  return errors;
}

function checkName(o: XcObject, err: (field: string, message: string) => void): void {
  const name = o.metadata.name;
  if (name.length > XC_NAME_MAX)
    err("metadata.name", `"${name}" is ${name.length} characters; at most ${XC_NAME_MAX} are allowed`);
  else if (!isXcName(name))
    err(
      "metadata.name",
      `"${name}" is not a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
    );
}

/** Every constraint of every object, health checks first. */
export function checkXcObjects(plan: { healthchecks: XcObject[]; origin_pools: XcObject[] }): XcConstraintError[] {
  return [...plan.healthchecks.flatMap(checkHealthcheck), ...plan.origin_pools.flatMap(checkOriginPool)];
}
