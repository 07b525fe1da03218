// The pod harness reads only what it understands: a chart change to a container's env, command, args,
// probes, hooks or mounts that the harness does not know makes readPod() fail, naming the field.
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../tools/src/helm/manifests.ts";
import { parseEnvoyArgs } from "../../tools/src/local/envoy.ts";
import { containerbootLoop, expandVars, readPod, remapPodForLocalRun } from "../../tools/src/local/pod/spec.ts";
import { renderValues } from "../../tools/src/local/pod/demo.ts";

const values = {
  tailscale: { state: "kubeSecret" },
  tailnets: [
    { name: "a", authKey: "tskey-a", loginServer: "http://127.0.0.1:1", services: [{ host: "x.a.test", port: 80 }] },
    { name: "b", existingSecret: { name: "ts-b", key: "k" }, services: [{ host: "100.64.0.1", port: 22 }] },
  ],
};
type C = Record<string, unknown>;
const containers = (m: Manifest[]): C[] =>
  ((m.find((x) => x.kind === "StatefulSet")!.spec as C).template as { spec: { containers: C[] } }).spec.containers;

describe("pod harness: rendered pod spec", () => {
  it("resolves secrets, fieldRef and $(VAR) like kubelet, and remaps only ports and mount paths", async () => {
    const m = await renderValues(values);
    const pod = readPod(m, { secrets: { "ts-b": { k: "tskey-b" } } });
    const [a, b] = pod.tailscale;
    expect(a!.env.TS_AUTHKEY).toBe("tskey-a");
    expect(b!.env.TS_AUTHKEY).toBe("tskey-b");
    expect(a!.env.TS_KUBE_SECRET).toBe("tailscale-egress-0-a-state");
    expect(a!.env.TS_HOSTNAME).toBe("tailscale-egress-0-a");
    expect(a!.command[0]).toBe("/bin/sh");
    expect(a!.command[2]).toMatch(
      /^export TS_HOSTNAME=.*\nif \[ -s \/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/token \]; then\n/,
    );
    expect(a!.command[2]!.endsWith(`fi\n${containerbootLoop()}`)).toBe(true);
    expect(a!.command[3]).toBe("ts-a");
    expect(a!.runAs).toEqual({ uid: 65532, gid: 65532 });
    expect(parseEnvoyArgs(pod.envoy.args)).toEqual({ configFile: "envoy.json", logLevel: "info", concurrency: 2 });
    const local = remapPodForLocalRun(pod, {
      ports: new Map([
        [10550, 1],
        [10700, 2],
        [10500, 3],
        [10501, 4],
      ]),
    });
    expect(local.tailscale[0]!.env.TS_OUTBOUND_HTTP_PROXY_LISTEN).toBe("127.0.0.1:1");
    expect(local.tailscale[0]!.env.TS_LOCAL_ADDR_PORT).toBe("127.0.0.1:2");
    expect(JSON.stringify(local.tailscale[0]!.preStop)).toContain("http://127.0.0.1:3/healthcheck/fail");
    expect(local.envoy.preStop).toEqual({ httpGet: { path: "/drain-wait", port: 4 } });
    expect(local.tailscale[0]!.mounts).toEqual(["/run"]);
    expect(expandVars("$(A)-$$(A)-$(B)", { A: "x" })).toBe("x-$(A)-$(B)");
    expect(() => readPod(m)).toThrow(/Secret ts-b key k is neither rendered nor supplied/);
  });

  it("resolves OAuth client credentials from the chart's Secret and from an existing Secret", async () => {
    const m = await renderValues({
      tailnets: [
        {
          name: "a",
          oauth: { clientId: "kA", clientSecret: "tskey-client-kA-s" },
          services: [{ host: "x.a.test", port: 80 }],
        },
        { name: "b", oauth: { existingSecret: { name: "ts-b-oauth" } }, services: [{ host: "100.64.0.1", port: 22 }] },
      ],
    });
    const [a, b] = readPod(m, {
      secrets: { "ts-b-oauth": { client_id: "kB", client_secret: "tskey-client-kB-s" } },
    }).tailscale;
    expect(a!.env).toMatchObject({ TS_CLIENT_ID: "kA", TS_CLIENT_SECRET: "tskey-client-kA-s" });
    expect(b!.env).toMatchObject({ TS_CLIENT_ID: "kB", TS_CLIENT_SECRET: "tskey-client-kB-s" });
    expect(a!.env.TS_AUTHKEY).toBeUndefined();
  });

  it("runs the minimal pod (every optional kind off, emptyDir state): no API token, only the run mounts", async () => {
    const m = await renderValues({
      serviceAccount: { create: false },
      rbac: { create: false },
      podDisruptionBudget: { enabled: false },
      tests: { enabled: false },
      tailscale: { state: "emptyDir" },
      tailnets: values.tailnets.slice(0, 1),
    });
    const [a] = readPod(m).tailscale;
    expect(a!.kubeApi).toBe(false);
    expect(a!.mounts).toEqual(["/var/run"]);
    expect(a!.env.TS_KUBE_SECRET).toBe("");
  });

  it("the default state is emptyDir: no token, no kube prelude, only the site-name prelude, then the loop", async () => {
    const m = await renderValues({ tailnets: values.tailnets.slice(0, 1) });
    const [a] = readPod(m).tailscale;
    expect(a!.kubeApi).toBe(false);
    expect(a!.env.TS_KUBE_SECRET).toBe("");
    expect(a!.command).toEqual([
      "/bin/sh",
      "-c",
      `export TS_HOSTNAME="\${VES_IO_SITENAME:+\${VES_IO_SITENAME}-}\${TS_HOSTNAME}"\n${containerbootLoop()}`,
      "ts-a",
    ]);
  });

  it("a tailnet with its own hostname and emptyDir state: the loop alone, $0 naming the container", async () => {
    const m = await renderValues({ tailnets: [{ ...values.tailnets[0]!, hostname: "edge-a" }] });
    const [a] = readPod(m).tailscale;
    expect(a!.env.TS_HOSTNAME).toBe("edge-a");
    expect(a!.command).toEqual(["/bin/sh", "-c", containerbootLoop(), "ts-a"]);
  });

  const mutations: [string, (c: C[]) => void, RegExp][] = [
    [
      "an unknown env name",
      (c) => (c[1]!.env as C[]).push({ name: "TS_NEW_THING", value: "1" }),
      /env TS_NEW_THING not understood/,
    ],
    [
      "a changed command",
      (c) => (c[1]!.command = ["/bin/sh", "-c", "exec containerboot --foo"]),
      /command .* not understood/,
    ],
    [
      "a kube wrapper that runs a command substitution",
      (c) =>
        (c[1]!.command = [
          ...(c[1]!.command as string[]).slice(0, 2),
          (c[1]!.command as string[])[2]!.replace("via the", "via $(id) the"),
          "ts-a",
        ]),
      /command .* not understood/,
    ],
    [
      "a loop that is not files/containerboot-loop.sh",
      (c) =>
        (c[1]!.command = [
          ...(c[1]!.command as string[]).slice(0, 2),
          (c[1]!.command as string[])[2]!.replace("killall -q tailscaled\n", ""),
          "ts-a",
        ]),
      /command .* not understood/,
    ],
    [
      "the old exec containerboot",
      (c) =>
        (c[1]!.command = [
          ...(c[1]!.command as string[]).slice(0, 2),
          (c[1]!.command as string[])[2]!.replace(containerbootLoop(), "exec containerboot"),
          "ts-a",
        ]),
      /command .* not understood/,
    ],
    [
      "a $0 that is not the container's name",
      (c) => (c[1]!.command = [...(c[1]!.command as string[]).slice(0, 3), "ts-b"]),
      /command .* not understood/,
    ],
    ["container args", (c) => (c[1]!.args = ["--x"]), /args not understood/],
    [
      "an exec probe",
      (c) => (c[1]!.readinessProbe = { exec: { command: ["true"] } }),
      /readinessProbe.*not understood|only httpGet/,
    ],
    ["an unknown container field", (c) => (c[0]!.workingDir = "/"), /field\(s\) workingDir not understood/],
    [
      "an unknown envoy arg",
      (c) => (c[0]!.args = [...(c[0]!.args as string[]), "--cpuset-threads", "true"]),
      /--cpuset-threads true is not understood/,
    ],
    [
      "a --concurrency that is not a worker count",
      (c) => (c[0]!.args = (c[0]!.args as string[]).map((a) => (a === "2" ? "0" : a))),
      /--concurrency 0 is not understood/,
    ],
    [
      "a new volume mount",
      (c) => (c[1]!.volumeMounts as C[]).push({ name: "x", mountPath: "/x" }),
      /mounts .* not understood/,
    ],
    [
      "a postStart hook",
      (c) => ((c[1]!.lifecycle as C).postStart = { exec: { command: ["true"] } }),
      /postStart not understood/,
    ],
  ];
  it.each(mutations)("fails on %s", async (_n, mutate, re) => {
    const m = await renderValues(values);
    mutate(containers(m));
    const run = async () => {
      const pod = readPod(m, { secrets: { "ts-b": { k: "tskey-b" } } });
      parseEnvoyArgs(pod.envoy.args);
    };
    await expect(run()).rejects.toThrow(re);
  });
});
