// The local control plane's own PKI, made with openssl: a CA, the API server's serving certificate, client
// certificates for the admin and the controller manager, and the service-account signing key pair.
// EC P-256 throughout (fast to generate; Kubernetes accepts it for every one of these uses).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { systemTool } from "../lab/bins.ts";
import { runCommand } from "../lab/procs.ts";

export interface Pki {
  dir: string;
  ca: string;
  caKey: string;
  caPem: string;
  apiserver: { cert: string; key: string };
  admin: { cert: string; key: string };
  controllerManager: { cert: string; key: string };
  serviceAccount: { key: string; pub: string };
}

const openssl = (args: readonly string[]): Promise<unknown> => runCommand(systemTool("openssl"), args);

async function ecKey(file: string): Promise<void> {
  await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file]);
}

/** A certificate signed by the CA: subject like "/O=system:masters/CN=admin", usage serverAuth or clientAuth. */
async function leaf(
  dir: string,
  name: string,
  subject: string,
  usage: string,
  san?: string,
): Promise<{ cert: string; key: string }> {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  await ecKey(key);
  await openssl(["req", "-new", "-key", key, "-out", csr, "-subj", subject]);
  const lines = [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    `extendedKeyUsage=${usage}`,
  ];
  if (san) lines.push(`subjectAltName=${san}`);
  fs.writeFileSync(ext, `${lines.join("\n")}\n`);
  await openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    path.join(dir, "ca.crt"),
    "-CAkey",
    path.join(dir, "ca.key"),
    // A random serial per certificate: -CAcreateserial shares one serial file, which parallel signings corrupt.
    "-set_serial",
    `0x${(randomBytes(16)[0]! & 0x7f).toString(16).padStart(2, "0")}${randomBytes(15).toString("hex")}`,
    "-days",
    "30",
    "-extfile",
    ext,
    "-out",
    cert,
  ]);
  fs.rmSync(csr);
  fs.rmSync(ext);
  return { cert, key };
}

/** Writes a fresh PKI into dir; the API server's certificate names the given IPs and DNS names. */
export async function makePki(
  dir: string,
  server: { ips: readonly string[]; dnsNames: readonly string[] },
): Promise<Pki> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = path.join(dir, "ca.crt");
  const caKey = path.join(dir, "ca.key");
  await ecKey(caKey);
  await openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    caKey,
    "-out",
    ca,
    "-days",
    "30",
    "-subj",
    "/CN=tailnet-egress-local-ca",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
  ]);
  const san = [...server.dnsNames.map((d) => `DNS:${d}`), ...server.ips.map((i) => `IP:${i}`)].join(",");
  const [apiserver, admin, controllerManager] = await Promise.all([
    leaf(dir, "apiserver", "/CN=kube-apiserver", "serverAuth", san),
    leaf(dir, "admin", "/O=system:masters/CN=tailnet-egress-admin", "clientAuth"),
    leaf(dir, "controller-manager", "/CN=system:kube-controller-manager", "clientAuth"),
  ]);
  const saKey = path.join(dir, "sa.key");
  const saPub = path.join(dir, "sa.pub");
  await ecKey(saKey);
  await openssl(["pkey", "-in", saKey, "-pubout", "-out", saPub]);
  return {
    dir,
    ca,
    caKey,
    caPem: fs.readFileSync(ca, "utf8"),
    apiserver,
    admin,
    controllerManager,
    serviceAccount: { key: saKey, pub: saPub },
  };
}

/** A client certificate for a user of the cluster (CN = user, O = each group), signed by the PKI's CA: what an
 * ordinary user's kubeconfig holds, with no group that RBAC binds by default. */
export function userCertificate(
  pki: Pki,
  user: string,
  groups: readonly string[] = [],
): Promise<{ cert: string; key: string }> {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(user)) throw new Error(`user name ${JSON.stringify(user)}: use [a-z0-9.-]`);
  const subject = `${groups.map((g) => `/O=${g}`).join("")}/CN=${user}`;
  return leaf(pki.dir, `user-${user}`, subject, "clientAuth");
}

export interface NodePki {
  /** The kubelet's client certificate (system:node:<name> in system:nodes) and its serving certificate. */
  kubelet: { cert: string; key: string };
  kubeletServing: { cert: string; key: string };
  scheduler: { cert: string; key: string };
  kubeProxy: { cert: string; key: string };
  /** What the API server presents to kubelets (logs, exec, port-forward). */
  apiserverKubeletClient: { cert: string; key: string };
}

/** The certificates a single node adds to a PKI made by makePki, signed by the same CA. */
export async function makeNodePki(pki: Pki, node: { name: string; ip: string }): Promise<NodePki> {
  const [kubelet, kubeletServing, scheduler, kubeProxy, apiserverKubeletClient] = await Promise.all([
    leaf(pki.dir, "kubelet", `/O=system:nodes/CN=system:node:${node.name}`, "clientAuth"),
    leaf(
      pki.dir,
      "kubelet-serving",
      `/O=system:nodes/CN=system:node:${node.name}`,
      "serverAuth",
      `DNS:${node.name},IP:${node.ip}`,
    ),
    leaf(pki.dir, "scheduler", "/CN=system:kube-scheduler", "clientAuth"),
    leaf(pki.dir, "kube-proxy", "/CN=system:kube-proxy", "clientAuth"),
    leaf(pki.dir, "apiserver-kubelet-client", "/O=system:masters/CN=kube-apiserver-kubelet-client", "clientAuth"),
  ]);
  return { kubelet, kubeletServing, scheduler, kubeProxy, apiserverKubeletClient };
}
