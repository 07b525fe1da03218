// A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager, built by
// tools/toolchain.sh kube. Each control plane takes a loopback address of its own (127.x.y.z, never
// 127.0.0.1), so several can run at once on fixed ports: etcd 2379/2380, the API server on 443 (the
// in-cluster default, so containerboot finds it as https://kubernetes.default.svc through /etc/hosts) and
// the controller manager's health port 10257. Nothing listens on any other address.
//
// The API server runs with its own PKI, RBAC (plus the Node authorizer) and the PodSecurity admission
// plugin. The controller manager is what makes namespaces usable (default ServiceAccount, kube-root-ca.crt)
// and what turns a StatefulSet into Pod objects. There is no node: Pods stay Pending.
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { toolPath } from "../../lib/toolpaths.ts";
import { tempDir } from "../lab/tempdirs.ts";
import { logTail, runCommand, startProcess, waitFor, type Proc } from "../lab/procs.ts";
import { makePki, type Pki } from "./pki.ts";

/** The DNS names that pods use for the API server; its certificate names them all. */
export const IN_CLUSTER_NAMES = [
  "kubernetes",
  "kubernetes.default",
  "kubernetes.default.svc",
  "kubernetes.default.svc.cluster.local",
  "localhost",
];
export const SERVICE_CIDR = "10.0.0.0/24";
export const API_PORT = 443;

export interface ControlPlane {
  /** The loopback address every component listens on. */
  readonly host: string;
  readonly server: string;
  readonly dir: string;
  readonly pki: Pki;
  /** An admin (system:masters) kubeconfig. */
  readonly kubeconfig: string;
  /** Runs kubectl with the admin kubeconfig; throws with kubectl's stderr on failure. */
  kubectl(
    args: readonly string[],
    opts?: { input?: string; timeoutMs?: number },
  ): Promise<{ stdout: string; stderr: string }>;
  /** kubectl ... -o json, parsed. */
  getJson<T = unknown>(args: readonly string[]): Promise<T>;
  /** Seconds each component took to become ready. */
  readonly startup: Record<string, number>;
  /** Stops the components by PID (controller manager, API server, etcd) and removes the data. Idempotent. */
  stop(): Promise<void>;
}

/** A random loopback address outside 127.0.0.0/24, so it never meets the lab's 127.0.0.1 servers. */
function randomLoopback(): string {
  const b = () => 1 + Math.floor(Math.random() * 253);
  return `127.${100 + Math.floor(Math.random() * 150)}.${b()}.${b()}`;
}

export function kubeconfigText(server: string, pki: Pki, user: string, cert: { cert: string; key: string }): string {
  const b64 = (f: string) => fs.readFileSync(f).toString("base64");
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server, "certificate-authority-data": b64(pki.ca) } }],
    users: [{ name: user, user: { "client-certificate-data": b64(cert.cert), "client-key-data": b64(cert.key) } }],
    contexts: [{ name: user, context: { cluster: "local", user } }],
    "current-context": user,
  });
}

/** The admin client certificate as https.get takes it, read once per control plane. */
interface AdminTls {
  ca: string;
  cert: Buffer;
  key: Buffer;
}

function adminTls(pki: Pki): AdminTls {
  return { ca: pki.caPem, cert: fs.readFileSync(pki.admin.cert), key: fs.readFileSync(pki.admin.key) };
}

/** GET an https URL with the admin certificate; resolves to the body when the status is 200. */
function httpsGet(url: string, tls: AdminTls): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        ...tls,
        timeout: 2_000,
        rejectUnauthorized: false,
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve(res.statusCode === 200 ? body : undefined));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

export interface ControlPlaneOptions {
  /** Label for directories and logs. */
  name?: string;
  /** Extra kube-apiserver flags (--flag=value). */
  apiserverFlags?: readonly string[];
  /** The address every component listens on; default a random loopback address of its own. */
  host?: string;
  /** The API server's port; default 443. */
  port?: number;
  /** Where the PKI, data and logs go; default a fresh temp dir (removed by stop()). */
  dir?: string;
  /** Keep the kubernetes Service's endpoints (a cluster with a node, whose pods reach the API through it). */
  serviceEndpoints?: boolean;
  /** More IPs for the API server's certificate. */
  extraIps?: readonly string[];
  /** Called once the PKI exists, before the API server starts; returns more API server flags. */
  withPki?: (pki: Pki) => Promise<readonly string[]>;
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const bins = {
    etcd: toolPath("etcd"),
    apiserver: toolPath("kube-apiserver"),
    kcm: toolPath("kube-controller-manager"),
    kubectl: toolPath("kubectl"),
  };
  const dir = opts.dir ?? tempDir(`kube-${opts.name ?? "cp"}`);
  const host = opts.host ?? randomLoopback();
  const port = opts.port ?? API_PORT;
  const server = `https://${host}:${port}`;
  const startup: Record<string, number> = {};
  const procs: Proc[] = [];
  let t0 = Date.now();
  const pki = await makePki(path.join(dir, "pki"), {
    ips: [host, "10.0.0.1", ...(opts.extraIps ?? [])],
    dnsNames: IN_CLUSTER_NAMES,
  });
  const pkiFlags = opts.withPki ? await opts.withPki(pki) : [];
  startup.pki = (Date.now() - t0) / 1000;
  const kubeconfig = path.join(dir, "admin.kubeconfig");
  fs.writeFileSync(kubeconfig, kubeconfigText(server, pki, "admin", pki.admin));
  const kcmConfig = path.join(dir, "controller-manager.kubeconfig");
  fs.writeFileSync(kcmConfig, kubeconfigText(server, pki, "controller-manager", pki.controllerManager));

  const stop = async (): Promise<void> => {
    for (const p of procs.splice(0).reverse()) await p.stop(10_000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const tls = adminTls(pki);
  const ready = async (name: string, proc: Proc, url: string): Promise<void> => {
    t0 = Date.now();
    await waitFor(
      `${name} ready at ${url}`,
      60_000,
      async () => {
        if (!proc.running()) throw new Error(`${name} exited:\n${logTail(proc.log())}`);
        return (await httpsGet(url, tls).catch(() => undefined)) === "ok" ? true : undefined;
      },
      100,
    );
    startup[name] = (Date.now() - t0) / 1000;
  };
  try {
    const etcdUrl = `http://${host}:2379`;
    const etcd = startProcess({
      name: "etcd",
      command: bins.etcd,
      logDir: dir,
      args: [
        "--name=local",
        `--data-dir=${path.join(dir, "etcd")}`,
        "--log-level=warn",
        "--unsafe-no-fsync",
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://${host}:2380`,
        `--initial-advertise-peer-urls=http://${host}:2380`,
        `--initial-cluster=local=http://${host}:2380`,
      ],
    });
    procs.push(etcd);
    t0 = Date.now();
    await waitFor(
      "etcd ready",
      30_000,
      async () => {
        if (!etcd.running()) throw new Error(`etcd exited:\n${logTail(etcd.log())}`);
        const r = await fetch(`${etcdUrl}/readyz`).catch(() => undefined);
        return r?.ok ? true : undefined;
      },
      100,
    );
    startup.etcd = (Date.now() - t0) / 1000;

    const apiserver = startProcess({
      name: "kube-apiserver",
      command: bins.apiserver,
      logDir: dir,
      args: [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${host}`,
        `--secure-port=${port}`,
        `--advertise-address=${host}`,
        // A loopback advertise address cannot go into the kubernetes Service's Endpoints.
        ...(opts.serviceEndpoints ? [] : ["--endpoint-reconciler-type=none"]),
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--tls-cert-file=${pki.apiserver.cert}`,
        `--tls-private-key-file=${pki.apiserver.key}`,
        `--client-ca-file=${pki.ca}`,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${pki.serviceAccount.pub}`,
        `--service-account-signing-key-file=${pki.serviceAccount.key}`,
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction,PodSecurity",
        "--profiling=false",
        "--v=1",
        ...(opts.apiserverFlags ?? []),
        ...pkiFlags,
      ],
    });
    procs.push(apiserver);
    await ready("kube-apiserver", apiserver, `${server}/readyz`);

    const kcm = startProcess({
      name: "kube-controller-manager",
      command: bins.kcm,
      logDir: dir,
      args: [
        `--kubeconfig=${kcmConfig}`,
        `--authentication-kubeconfig=${kcmConfig}`,
        `--authorization-kubeconfig=${kcmConfig}`,
        `--bind-address=${host}`,
        "--secure-port=10257",
        "--leader-elect=false",
        "--use-service-account-credentials=true",
        `--service-account-private-key-file=${pki.serviceAccount.key}`,
        `--root-ca-file=${pki.ca}`,
        `--cluster-signing-cert-file=${pki.ca}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        "--v=1",
      ],
    });
    procs.push(kcm);
    await ready("kube-controller-manager", kcm, `https://${host}:10257/healthz`);
  } catch (err) {
    await stop();
    throw err;
  }

  const kubectl = (args: readonly string[], o: { input?: string; timeoutMs?: number } = {}) =>
    runCommand(bins.kubectl, ["--kubeconfig", kubeconfig, ...args], {
      timeoutMs: o.timeoutMs ?? 60_000,
      ...(o.input === undefined ? {} : { input: o.input }),
    });
  return {
    host,
    server,
    dir,
    pki,
    kubeconfig,
    startup,
    kubectl,
    async getJson<T>(args: readonly string[]): Promise<T> {
      return JSON.parse((await kubectl([...args, "-o", "json"])).stdout) as T;
    },
    stop,
  };
}
