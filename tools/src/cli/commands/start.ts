// `npm start`: render the chart and run its pod on this machine (Envoy + one containerboot per tailnet),
// using the e2e pod harness (tools/src/local/pod). With no -f, a local demo tailnet is started first.
import { parseManifests } from "../../helm/manifests.ts";
import { render } from "../../helm/helm.ts";
import { readInput } from "../../lib/input.ts";
import { requireTools } from "../../lib/toolpaths.ts";
import { portTable } from "../../plan/table.ts";
import { parse, UsageError, valuesOptions } from "../args.ts";
import { loadValidated } from "../load.ts";

export const usage = `Usage: tailnet-egress start [-f values.yaml ...] [--secret <name>/<key>=<value> ...]

Renders the chart and runs its pod on this machine: Envoy with the rendered ConfigMap, and one real
containerboot per tailnet with the rendered env, as the chart's non-root uid. Service ports are the chart's
own ports on 127.0.0.1; Ctrl-C stops everything and removes every temp file.

With no -f: starts a local demo tailnet (headscale + a target node) and values pointing at it, so that
  curl localhost:10000        (or: nc localhost 10000)
reaches the demo target through Envoy and Tailscale.

With -f: runs YOUR tailnets with your auth keys, to try a values file before deploying it. Tailnets using
existingSecret need --secret <secret-name>/<key>=<auth key>. Node state that the chart keeps in a Kubernetes
Secret goes to a local stand-in for the Kubernetes API and is lost on exit (use ephemeral keys).`;

export const READY_LINE = "Ready. Press Ctrl-C to stop.";

async function secretsOf(specs: string[]): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const s of specs) {
    const m = s.match(/^([^/=]+)\/([^=]+)=(.*)$/s);
    if (!m) throw new UsageError(`--secret wants <name>/<key>=<value>, got ${s}\n\n${usage}`);
    (out[m[1]!] ??= {})[m[2]!] = m[3]!.startsWith("@") ? (await readInput(m[3]!.slice(1))).trim() : m[3]!;
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...valuesOptions, secret: { type: "string", multiple: true } }, usage);
  if (values.help) return (console.log(usage), 0);
  const release = values.release;
  requireTools([
    "helm3",
    "envoy",
    "tailscaled",
    "tailscale",
    "containerboot",
    ...(values.values?.length ? [] : (["headscale"] as const)),
  ]);
  const secrets = await secretsOf(values.secret ?? []);
  // The harness lives with the e2e tests (it is what they run); load it only when starting.
  const [{ startPod }, { startDemoTailnet }, { onCleanup }, { tmpValues }] = await Promise.all([
    import("../../local/pod/pod.ts"),
    import("../../local/pod/demo.ts"),
    import("../../local/lab/cleanup.ts"),
    import("../../local/tmp.ts"),
  ]);
  onCleanup("report", () => console.log("Stopped; every process, port and temp dir of this run is cleaned up."));

  const demo = !values.values?.length;
  let files = values.values ?? [];
  if (demo) {
    console.log("Starting the demo tailnet (headscale + target node demo-target) ...");
    files = [tmpValues((await startDemoTailnet()).values)];
  }
  const { values: v, plan } = await loadValidated(files, release);
  const manifests = parseManifests(await render({ major: 3, valuesFiles: files, release }));
  console.log(`Starting the pod (Envoy + ${v.tailnets.length} Tailscale container(s)) ...`);
  const pod = await startPod(manifests, { ports: "real", podIP: "127.0.0.1", labNetwork: demo, secrets });
  const lines = [
    "",
    portTable(plan.ports),
    "",
    `health: http://127.0.0.1:${v.envoy.healthPort}/ready  /ready/<tailnet>  /stats/prometheus    admin: ${pod.envoy.adminUrl}`,
    ...[...pod.tailscale].map(([tn, cb]) => `tailnet ${tn}: node ${cb.env.TS_HOSTNAME ?? ""} log ${cb.proc().logFile}`),
  ];
  if (demo) lines.push("", "Try:  curl localhost:10000      echo hi | nc localhost 10001");
  console.log([...lines, "", READY_LINE].join("\n"));
  await new Promise<never>(() => undefined); // SIGINT/SIGTERM: the cleanup registry stops everything and exits
  return 0;
}
