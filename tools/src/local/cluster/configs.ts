// The configuration files of one local cluster's node: containerd, the CNI bridge, kubelet and kube-proxy,
// plus the CoreDNS objects. Pure functions of the layout: they only build text.
import path from "node:path";
import YAML from "yaml";
import { CLUSTER_CIDR, CLUSTER_DOMAIN, DNS_SERVICE_IP, NODE_IP, POD_CIDR, type Layout } from "./layout.ts";

/** kubelet's syncFrequency when the caller does not set one: the kubelet's own default. */
export const KUBELET_DEFAULT_SYNC = "1m0s";

export function containerdConfig(l: Layout, pauseImage: string): string {
  const d = (...p: string[]) => path.join(l.dir, ...p);
  return `version = 2
root = "${d("containerd", "root")}"
state = "${d("containerd", "state")}"
[grpc]
  address = "${l.containerdSocket}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${d("containerd", "opt")}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${pauseImage}"
  disable_apparmor = true
  # No CAP_SYS_RESOURCE here: runc cannot lower oom_score_adj, so it is only ever raised.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${d("run", "runc")}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${d("cni", "net.d")}"
`;
}

export function cniConfig(l: Layout): string {
  return JSON.stringify(
    {
      cniVersion: "0.4.0",
      name: `${l.name}-pods`,
      plugins: [
        {
          type: "bridge",
          bridge: l.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: POD_CIDR }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: path.join(l.dir, "cni", "ipam"),
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export interface KubeletOptions {
  /** kubelet syncFrequency (how often it resyncs pods, and so how soon ConfigMap volumes update). */
  syncFrequency?: string;
  pki: { ca: string; servingCert: string; servingKey: string };
}

export function kubeletConfig(l: Layout, o: KubeletOptions): string {
  return YAML.stringify({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    containerRuntimeEndpoint: `unix://${l.containerdSocket}`,
    cgroupDriver: "cgroupfs",
    cgroupRoot: `/${l.cgroupRoot}`,
    failCgroupV1: false,
    failSwapOn: false,
    // Only check the vm/kernel sysctls it would otherwise set machine-wide (the supervisor shows it the
    // expected values, read-only, in the cluster's own mount namespace).
    protectKernelDefaults: true,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: o.pki.ca } },
    authorization: { mode: "Webhook" },
    tlsCertFile: o.pki.servingCert,
    tlsPrivateKeyFile: o.pki.servingKey,
    address: NODE_IP,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    podLogsDir: path.join(l.dir, "pod-logs"),
    resolvConf: path.join(l.dir, "resolv.conf"),
    clusterDomain: CLUSTER_DOMAIN,
    clusterDNS: [DNS_SERVICE_IP],
    syncFrequency: o.syncFrequency ?? KUBELET_DEFAULT_SYNC,
    configMapAndSecretChangeDetectionStrategy: "Watch",
    evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%" },
    imageGCHighThresholdPercent: 100,
    serializeImagePulls: false,
    staticPodPath: "",
  });
}

export function kubeProxyConfig(l: Layout, kubeconfig: string): string {
  return YAML.stringify({
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    clientConnection: { kubeconfig },
    hostnameOverride: l.nodeName,
    mode: "iptables",
    clusterCIDR: CLUSTER_CIDR,
    healthzBindAddress: "127.0.0.1:10256",
    metricsBindAddress: "127.0.0.1:10249",
    // 0 leaves the machine-wide conntrack sysctls alone.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
  });
}

/** CoreDNS as the cluster DNS: answers for cluster.local from the API, on port 1053 as a non-root user. */
export function corednsManifests(image: string): string {
  const labels = { "k8s-app": "kube-dns" };
  const corefile = `.:1053 {
    errors
    health :8080
    ready :8181
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
    loop
}
`;
  const docs = [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "coredns", namespace: "kube-system" } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "system:coredns" },
      rules: [
        { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "system:coredns" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:coredns" },
      subjects: [{ kind: "ServiceAccount", name: "coredns", namespace: "kube-system" }],
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "coredns", namespace: "kube-system" },
      data: { Corefile: corefile },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "coredns", namespace: "kube-system", labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: "coredns",
            dnsPolicy: "Default",
            securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "coredns",
                image,
                imagePullPolicy: "Never",
                args: ["-conf", "/etc/coredns/Corefile"],
                ports: [
                  { name: "dns", containerPort: 1053, protocol: "UDP" },
                  { name: "dns-tcp", containerPort: 1053, protocol: "TCP" },
                ],
                readinessProbe: { httpGet: { path: "/ready", port: 8181 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 10 },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [{ name: "config", mountPath: "/etc/coredns", readOnly: true }],
              },
            ],
            volumes: [{ name: "config", configMap: { name: "coredns" } }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-dns", namespace: "kube-system", labels },
      spec: {
        clusterIP: DNS_SERVICE_IP,
        selector: labels,
        ports: [
          { name: "dns", port: 53, targetPort: 1053, protocol: "UDP" },
          { name: "dns-tcp", port: 53, targetPort: 1053, protocol: "TCP" },
        ],
      },
    },
  ];
  return docs.map((d) => YAML.stringify(d)).join("---\n");
}
