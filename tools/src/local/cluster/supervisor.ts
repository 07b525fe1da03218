// The process that IS a local cluster: it runs inside the cluster's network namespace and a private mount
// namespace of its own (cluster.ts starts it there), starts every component as its child, writes the state
// file when the node is Ready, and stops them all on SIGTERM (`cluster down`). Nothing it starts outlives it:
// the children die with it (the process supervisor's parent-death signal), and the mounts with its namespace.
import fs from "node:fs";
import path from "node:path";
import { requireTools, toolPath } from "../../lib/toolpaths.ts";
import { onCleanup } from "../lab/cleanup.ts";
import { logTail, runCommand, startProcess, StopWaiting, waitFor, type Proc } from "../lab/procs.ts";
import { systemTool } from "../lab/bins.ts";
import { kubeconfigText, startControlPlane, type ControlPlane } from "../kube/controlplane.ts";
import { makeNodePki, type NodePki } from "../kube/pki.ts";
import { containerdConfig, corednsManifests, cniConfig, kubeletConfig, kubeProxyConfig } from "./configs.ts";
import { buildAllImages, nodeImageRefs } from "./images.ts";
import { API_PORT, API_SERVICE_IP, cgroupTops, cgroupUnified, layout, NODE_IP, type Layout } from "./layout.ts";
import { recordSupervisorNamespace } from "./ownership.ts";
import { writeState, type ClusterState } from "./state.ts";
import { startClusterDemo } from "./demo.ts";
import { NODE_TOOLS } from "./tools.ts";

export interface SuperviseOptions {
  demo: boolean;
  syncFrequency?: string;
}

/** The machine-wide sysctls kubelet checks (protectKernelDefaults), shown to it read-only with these values. */
const KUBELET_SYSCTLS: Record<string, string> = {
  "vm/overcommit_memory": "1",
  "vm/panic_on_oom": "0",
  "kernel/panic": "10",
  "kernel/panic_on_oops": "1",
  "kernel/keys/root_maxkeys": "1000000",
  "kernel/keys/root_maxbytes": "25000000",
};

/** Host paths the node writes to; each gets a tmpfs of its own in the private mount namespace. */
const PRIVATE_DIRS = ["/run/netns", "/run/containerd", "/var/lib/cni", "/var/log/containers"];

async function mount(args: readonly string[]): Promise<void> {
  await runCommand(systemTool("mount"), args);
}

async function privateMounts(l: Layout): Promise<void> {
  // Nothing mounted here may reach the host's mount namespace.
  await mount(["--make-rslave", "/"]);
  for (const d of PRIVATE_DIRS) {
    fs.mkdirSync(d, { recursive: true });
    await mount(["-t", "tmpfs", "-o", "mode=0755", "tmpfs", d]);
  }
  for (const [key, value] of Object.entries(KUBELET_SYSCTLS)) {
    const file = path.join(l.dir, "sysctl", key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${value}\n`);
    await mount(["--bind", "-o", "ro", file, `/proc/sys/${key}`]);
  }
}

/** kubelet wants its cgroup root to exist in every hierarchy (cgroup v1) or in the unified one (v2). */
function makeCgroups(l: Layout): void {
  const unified = cgroupUnified();
  for (const dir of cgroupTops(l)) {
    const parent = path.dirname(dir);
    fs.mkdirSync(dir, { recursive: true });
    if (fs.existsSync(path.join(parent, "cpuset.cpus")) && !unified) {
      fs.writeFileSync(path.join(dir, "cpuset.cpus"), fs.readFileSync(path.join(parent, "cpuset.cpus")));
      fs.writeFileSync(path.join(dir, "cpuset.mems"), fs.readFileSync(path.join(parent, "cpuset.mems")));
    }
  }
}

function component(l: Layout, name: string, command: string, args: readonly string[]): Proc {
  return startProcess({ name, command, args, logDir: path.join(l.dir, "logs"), inheritEnv: true });
}

async function untilReady<T>(what: string, proc: Proc, timeoutMs: number, fn: () => Promise<T | undefined>) {
  return waitFor(what, timeoutMs, async () => {
    if (!proc.running()) throw new StopWaiting(`${proc.name} exited:\n${logTail(proc.log())}`);
    return fn();
  });
}

export async function supervise(name: string, o: SuperviseOptions): Promise<void> {
  const t0 = Date.now();
  const l = layout(name);
  const timings: Record<string, number> = {};
  const mark = (what: string): void => {
    timings[what] = (Date.now() - t0) / 1000;
    console.log(`+${timings[what].toFixed(1)}s ${what}`);
  };
  if (!fs.existsSync(l.dir)) throw new Error(`${l.dir} is gone: the cluster was stopped before it started`);
  requireTools(NODE_TOOLS);
  const containerd = systemTool("containerd");
  const ctr = systemTool("ctr");
  await privateMounts(l);
  recordSupervisorNamespace(l); // from now on `down` may stop what runs in this namespace
  makeCgroups(l);
  for (const d of ["logs", "cni/net.d", "pod-logs", "kubelet"]) fs.mkdirSync(path.join(l.dir, d), { recursive: true });
  fs.writeFileSync(path.join(l.dir, "resolv.conf"), "");
  fs.writeFileSync(path.join(l.dir, "cni", "net.d", "10-bridge.conflist"), cniConfig(l));
  mark("namespaces and mounts");

  // Images first (they may take a while to write the first time), in parallel with the control plane.
  const images = buildAllImages(path.join(path.dirname(l.dir), ".images"));
  let nodePki: NodePki | undefined;
  const cp: ControlPlane = await startControlPlane({
    name,
    dir: path.join(l.dir, "cp"),
    host: NODE_IP,
    port: API_PORT,
    serviceEndpoints: true,
    extraIps: ["127.0.0.1", API_SERVICE_IP],
    withPki: async (pki) => {
      nodePki = await makeNodePki(pki, { name: l.nodeName, ip: NODE_IP });
      return [
        `--kubelet-client-certificate=${nodePki.apiserverKubeletClient.cert}`,
        `--kubelet-client-key=${nodePki.apiserverKubeletClient.key}`,
        `--kubelet-certificate-authority=${pki.ca}`,
        "--kubelet-preferred-address-types=InternalIP",
        "--allow-privileged=true",
      ];
    },
  });
  if (!nodePki) throw new Error("node PKI missing");
  fs.copyFileSync(cp.kubeconfig, l.kubeconfig);
  mark("control plane");
  const kc = (file: string, user: string, cert: { cert: string; key: string }): string => {
    const p = path.join(l.dir, `${file}.kubeconfig`);
    fs.writeFileSync(p, kubeconfigText(cp.server, cp.pki, user, cert));
    return p;
  };

  fs.writeFileSync(path.join(l.dir, "containerd.toml"), containerdConfig(l, nodeImageRefs().pause));
  const ctrd = component(l, "containerd", containerd, ["--config", path.join(l.dir, "containerd.toml")]);
  await untilReady("containerd socket", ctrd, 30_000, async () =>
    fs.existsSync(l.containerdSocket) ? true : undefined,
  );
  for (const img of await images) {
    await runCommand(ctr, ["--address", l.containerdSocket, "-n", "k8s.io", "images", "import", img.archive], {
      timeoutMs: 120_000,
    });
  }
  mark("containerd and images");

  const scheduler = kc("scheduler", "scheduler", nodePki.scheduler);
  component(l, "kube-scheduler", toolPath("kube-scheduler"), [
    `--kubeconfig=${scheduler}`,
    `--authentication-kubeconfig=${scheduler}`,
    `--authorization-kubeconfig=${scheduler}`,
    "--bind-address=127.0.0.1",
    "--secure-port=10259",
    "--leader-elect=false",
    "--v=1",
  ]);
  fs.writeFileSync(
    path.join(l.dir, "kubelet.yaml"),
    kubeletConfig(l, {
      ...(o.syncFrequency ? { syncFrequency: o.syncFrequency } : {}),
      pki: { ca: cp.pki.ca, servingCert: nodePki.kubeletServing.cert, servingKey: nodePki.kubeletServing.key },
    }),
  );
  const kubelet = component(l, "kubelet", toolPath("kubelet"), [
    `--config=${path.join(l.dir, "kubelet.yaml")}`,
    `--kubeconfig=${kc("kubelet", "kubelet", nodePki.kubelet)}`,
    `--root-dir=${path.join(l.dir, "kubelet")}`,
    `--hostname-override=${l.nodeName}`,
    `--node-ip=${NODE_IP}`,
    "--v=1",
  ]);
  fs.writeFileSync(
    path.join(l.dir, "kube-proxy.yaml"),
    kubeProxyConfig(l, kc("kube-proxy", "kube-proxy", nodePki.kubeProxy)),
  );
  component(l, "kube-proxy", toolPath("kube-proxy"), [`--config=${path.join(l.dir, "kube-proxy.yaml")}`, "--v=1"]);
  await untilReady(`node ${l.nodeName} Ready`, kubelet, 120_000, async () => {
    const out = await cp.kubectl([
      "get",
      "node",
      l.nodeName,
      "-o",
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    return out.stdout.trim() === "True" ? true : undefined;
  });
  mark("node Ready");

  await cp.kubectl(["apply", "--server-side", "-f", "-"], { input: corednsManifests(nodeImageRefs().coredns) });
  await cp.kubectl(["-n", "kube-system", "rollout", "status", "deployment/coredns", "--timeout=120s"], {
    timeoutMs: 130_000,
  });
  await waitFor("the default ServiceAccount", 30_000, async () =>
    (await cp.kubectl(["-n", "default", "get", "serviceaccount", "default"]).catch(() => undefined)) ? true : undefined,
  );
  mark("cluster DNS");

  const state: ClusterState = {
    name,
    pid: process.pid,
    netns: l.netns,
    kubeconfig: l.kubeconfig,
    nodeIP: NODE_IP,
    syncFrequency: o.syncFrequency ?? "default",
    startedAt: t0,
    timings,
  };
  if (o.demo) {
    const demo = await startClusterDemo(l);
    state.values = demo.valuesFile;
    state.demo = demo.info;
    mark("demo tailnets");
  }
  writeState(l, state);
  onCleanup("cluster state", () => fs.rmSync(l.stateFile, { force: true }));
  console.log(`cluster ready after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
