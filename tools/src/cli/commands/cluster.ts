// `tailnet-egress cluster up|down|exec`: a real single-node Kubernetes on this machine, inside a network
// namespace of its own (tools/src/local/cluster). `supervise` is the cluster itself, started by `up`.
import { spawn } from "node:child_process";
import { systemTool } from "../../lib/toolpaths.ts";
import { parse, UsageError } from "../args.ts";

export const usage = `Usage: tailnet-egress cluster up [--demo] [--name <name>] [--sync-frequency <duration>]
       tailnet-egress cluster exec [--name <name>] -- <command> [args...]
       tailnet-egress cluster down [--name <name>]

A real single-node Kubernetes on this machine (root only): etcd, kube-apiserver, kube-controller-manager,
kube-scheduler, containerd + runc, kubelet, kube-proxy, a CNI bridge and CoreDNS, all inside one network
namespace that "up" creates. Pod, Service and node addresses exist only there. The chart's default images
are built from the pinned binaries and imported, so the chart installs with its default values.

  up        start it and wait until the node is Ready and CoreDNS runs; prints how long each took,
            "kubeconfig: <path>" and "netns: <name>"; a "down" meanwhile stops it (up then fails)
  --demo    also start two demo tailnets (headscale + a target node each) in the namespace and write
            values for them; prints "values: <path>"
  --sync-frequency  the kubelet's syncFrequency (default its own, 1m): how soon an edited ConfigMap
            reaches a running pod
  exec      run a command in the namespace with KUBECONFIG set ("helm" is Helm 3; helm3, helm4 and
            kubectl are on PATH), e.g.  cluster exec -- helm install egress . -f <values> --wait
  down      stop every process it started, remove the namespace, cgroups and files; safe to repeat
  --name    run several clusters side by side (default "local")`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h") return (console.log(usage), sub ? 0 : 2);
  const cluster = await import("../../local/cluster/cluster.ts");
  if (sub === "exec") {
    const dash = rest.indexOf("--");
    const own = dash < 0 ? rest : rest.slice(0, dash);
    const command = dash < 0 ? [] : rest.slice(dash + 1);
    const { values } = parse(own, { name: { type: "string" } }, usage);
    if (command.length === 0) throw new UsageError(`cluster exec needs -- <command>\n\n${usage}`);
    const c = (() => {
      try {
        return cluster.clusterOf(values.name);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    })();
    const child = spawn(systemTool("nsenter"), [...cluster.nsenterArgs(c.pid), ...command], {
      stdio: "inherit",
      env: { ...process.env, ...cluster.execEnv(c.layout) },
    });
    return new Promise((resolve) => child.on("close", (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  }
  const opts = {
    name: { type: "string" },
    demo: { type: "boolean" },
    "sync-frequency": { type: "string" },
  } as const;
  if (sub === "supervise") {
    const [name, ...flags] = rest;
    if (!name) throw new UsageError(usage);
    const { values } = parse(flags, opts, usage);
    const { supervise } = await import("../../local/cluster/supervisor.ts");
    await supervise(name, {
      demo: values.demo ?? false,
      ...(values["sync-frequency"] ? { syncFrequency: values["sync-frequency"] } : {}),
    });
    await new Promise<never>(() => undefined); // until SIGTERM: the cleanup registry stops every component
  }
  const { values } = parse(rest, opts, usage);
  if (sub === "down") {
    await cluster.clusterDown(values.name);
    console.log(`cluster ${values.name ?? cluster.DEFAULT_CLUSTER}: down`);
    return 0;
  }
  if (sub !== "up") throw new UsageError(`unknown cluster command "${sub}"\n\n${usage}`);
  const t0 = Date.now();
  console.log("Starting the local cluster (control plane, containerd, kubelet, kube-proxy, CoreDNS) ...");
  const c = await cluster
    .clusterUp({
      ...(values.name ? { name: values.name } : {}),
      demo: values.demo ?? false,
      ...(values["sync-frequency"] ? { syncFrequency: values["sync-frequency"] } : {}),
    })
    .catch((e: unknown) => {
      if (!(e instanceof cluster.ClusterUpError)) throw e;
      console.error(e.message);
      return undefined;
    });
  if (!c) return 1;
  // From this command's start: the node alone (the supervisor's own step time, shifted by its start), then the
  // whole cluster (CoreDNS, and the demo tailnets with --demo).
  const nodeReady = (c.startedAt - t0) / 1000 + (c.timings["node Ready"] ?? Number.NaN);
  const lines = [
    `node Ready after ${nodeReady.toFixed(1)}s`,
    `cluster ready after ${((Date.now() - t0) / 1000).toFixed(1)}s (${c.values ? "CoreDNS and the demo tailnets" : "CoreDNS"})`,
    `kubeconfig: ${c.kubeconfig}`,
    `netns: ${c.netns}`,
  ];
  if (c.values) lines.push(`values: ${c.values}`);
  const name = values.name ? ` --name ${values.name}` : "";
  lines.push(
    "",
    `Try:  npx tailnet-egress cluster exec${name} -- kubectl get pods -A`,
    c.values
      ? `      npx tailnet-egress cluster exec${name} -- helm install egress . -f ${c.values} --wait` +
          `\n      npx tailnet-egress cluster exec${name} -- helm test egress`
      : "",
    `Stop: npx tailnet-egress cluster down${name}`,
  );
  console.log(lines.filter((x) => x !== "").join("\n"));
  return 0;
}
