// A throwaway self-signed TLS certificate (openssl, generated at test time, never committed).
import fs from "node:fs";
import path from "node:path";
import { systemTool } from "./bins.ts";
import { runCommand } from "./procs.ts";

export interface SelfSignedCert {
  certPem: string;
  keyPem: string;
}

/** Self-signed EC P-256 cert valid for the given DNS names and IPs (1 day). */
export async function selfSignedCert(dir: string, dnsNames: readonly string[], ips: readonly string[]): Promise<SelfSignedCert> {
  const keyFile = path.join(dir, "tls.key");
  const certFile = path.join(dir, "tls.crt");
  const san = [...dnsNames.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(",");
  await runCommand(systemTool("openssl"), [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=lab-kube-apiserver",
    "-addext", `subjectAltName=${san}`,
  ]);
  return { certPem: fs.readFileSync(certFile, "utf8"), keyPem: fs.readFileSync(keyFile, "utf8") };
}
