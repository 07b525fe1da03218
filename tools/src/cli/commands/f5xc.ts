import { checkXcObjects, formatXcErrors } from "../../f5xc/constraints.ts";
import {
  DEFAULT_HEALTHCHECK,
  f5xcPlan,
  NETWORKS,
  poolTable,
  type HealthcheckOptions,
  type Locator,
  type Network,
} from "../../f5xc/objects.ts";
import { APPLY_SCRIPT, outFiles, writeOutDir } from "../../f5xc/out-dir.ts";
import { parse, UsageError, valuesOptions } from "../args.ts";
import { loadValidValues } from "../load.ts";

export const usage = `Usage: tailnet-egress f5xc -f values.yaml [-f more.yaml ...] [--release NAME] --namespace NS
                           (--site [NS/]NAME | --virtual-site [NS/]NAME) [--tenant TENANT]
                           [--xc-namespace NS] [--network vk8s|inside|outside] [--out DIR | --table]
                           [--hc-interval S] [--hc-timeout S] [--hc-jitter-percent P] [--hc-expected-status CODES]

Prints the F5 XC objects that route to the release's Service: one origin pool per service (TCP, no TLS,
port = the Service port) and one HTTP health check per service (/ready/<tailnet>/<service> on
envoy.healthPort: 503 while the service's target, its tailnet or the pod is down), as JSON
{healthchecks, origin_pools}.
Names are stable: <release>-<tailnet>-<port name>, hash-shortened past 63 characters.

  --namespace      Kubernetes namespace of the release; the pools target <service>.<namespace>
  --site           a site locator (namespace default: system)
  --virtual-site   a virtual-site locator (namespace default: shared), e.g. shared/ves-io-all-res
  --tenant         tenant of the site or virtual site object (e.g. ves-io for ves-io-all-res)
  --xc-namespace   F5 XC namespace of the objects (default: --namespace, as on vK8s)
  --network        vk8s (vK8s, the default), inside or outside (a CE site's networks)
  --out DIR        write DIR/healthcheck/<name>.json, DIR/origin_pool/<name>.json and DIR/apply.sh, which
                   creates or replaces them through the F5 XC API (POST, then PUT on 409; deletes nothing):
                   F5XC_API_URL=https://<tenant>.console.ves.volterra.io F5XC_API_TOKEN=... sh DIR/apply.sh
  --table          print only the table: port, tailnet, target, origin pool
  --hc-interval    seconds between health checks, 1..600 (default ${DEFAULT_HEALTHCHECK.interval})
  --hc-timeout     seconds before a check fails (default ${DEFAULT_HEALTHCHECK.timeout})
  --hc-jitter-percent  0 or 10..50 (default ${DEFAULT_HEALTHCHECK.jitterPercent})
  --hc-expected-status comma-separated healthy status codes, at most 16 (default ${DEFAULT_HEALTHCHECK.expectedStatusCodes.join(",")})`;

function locator(site: string | undefined, vsite: string | undefined, tenant: string | undefined): Locator {
  if ((site === undefined) === (vsite === undefined))
    throw new UsageError(`give exactly one of --site and --virtual-site\n\n${usage}`);
  const kind = site !== undefined ? "site" : "virtual_site";
  const [ns, name] = (site ?? vsite)!.includes("/")
    ? (site ?? vsite)!.split("/", 2)
    : [kind === "site" ? "system" : "shared", site ?? vsite];
  if (!ns || !name) throw new UsageError(`--${kind.replace("_", "-")} needs [NAMESPACE/]NAME\n\n${usage}`);
  return { kind, name, namespace: ns, ...(tenant ? { tenant } : {}) };
}

type HcFlags = Partial<Record<"hc-interval" | "hc-timeout" | "hc-jitter-percent" | "hc-expected-status", string>>;

/** Health check settings from the --hc-* flags; the F5 XC bounds are checked on the objects (constraints.ts). */
function healthcheckOptions(flags: HcFlags): HealthcheckOptions {
  const int = (flag: keyof HcFlags, dflt: number): number => {
    const text = flags[flag];
    if (text === undefined) return dflt;
    if (!/^[0-9]+$/.test(text)) throw new UsageError(`--${flag} "${text}" is not a whole number\n\n${usage}`);
    return Number(text);
  };
  const codes = flags["hc-expected-status"];
  return {
    ...DEFAULT_HEALTHCHECK,
    interval: int("hc-interval", DEFAULT_HEALTHCHECK.interval),
    timeout: int("hc-timeout", DEFAULT_HEALTHCHECK.timeout),
    jitterPercent: int("hc-jitter-percent", DEFAULT_HEALTHCHECK.jitterPercent),
    expectedStatusCodes:
      codes === undefined
        ? DEFAULT_HEALTHCHECK.expectedStatusCodes
        : codes
            .split(",")
            .map((c) => c.trim())
            .filter((c) => c !== ""),
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      ...valuesOptions,
      namespace: { type: "string", short: "n" },
      site: { type: "string" },
      "virtual-site": { type: "string" },
      tenant: { type: "string" },
      "xc-namespace": { type: "string" },
      network: { type: "string", default: "vk8s" },
      out: { type: "string" },
      table: { type: "boolean", default: false },
      "hc-interval": { type: "string" },
      "hc-timeout": { type: "string" },
      "hc-jitter-percent": { type: "string" },
      "hc-expected-status": { type: "string" },
    },
    usage,
  );
  if (values.help) return (console.log(usage), 0);
  const files = values.values ?? [];
  if (files.length === 0) throw new UsageError(`f5xc needs at least one -f file\n\n${usage}`);
  if (!values.namespace)
    throw new UsageError(`f5xc needs --namespace (the release's Kubernetes namespace)\n\n${usage}`);
  if (!(values.network in NETWORKS))
    throw new UsageError(`--network must be one of ${Object.keys(NETWORKS).join(", ")}\n\n${usage}`);
  const xcNamespace = values["xc-namespace"] ?? values.namespace;
  for (const [flag, v] of [
    ["--namespace", values.namespace],
    ["--xc-namespace", xcNamespace],
  ] as const) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v))
      throw new UsageError(`${flag} "${v}" is not a DNS-1123 label\n\n${usage}`);
  }
  const plan = f5xcPlan(await loadValidValues(files, values.release), {
    release: values.release,
    namespace: values.namespace,
    xcNamespace,
    locator: locator(values.site, values["virtual-site"], values.tenant),
    network: values.network as Network,
    healthcheck: healthcheckOptions(values),
  });
  const errors = checkXcObjects(plan);
  if (errors.length) throw new UsageError(`F5 XC would refuse these objects:\n${formatXcErrors(errors)}\n\n${usage}`);
  if (values.table) return (console.log(poolTable(plan.rows)), 0);
  if (values.out) {
    await writeOutDir(values.out, outFiles(plan));
    console.log(
      `${poolTable(plan.rows)}\n\nwrote ${plan.healthchecks.length} health check(s), ${plan.origin_pools.length} origin pool(s) and ${APPLY_SCRIPT} under ${values.out}`,
    );
    return 0;
  }
  console.log(JSON.stringify({ healthchecks: plan.healthchecks, origin_pools: plan.origin_pools }, null, 2));
  return 0;
}
