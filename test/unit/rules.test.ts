// Each cross-field rule fires on its own, naming the field and saying what is allowed.
import { describe, expect, it } from "vitest";
import type { Values } from "../../tools/src/generated/values.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";
import { helmTemplate } from "../../tools/src/helm/helm.ts";
import { MAX_OBJECT_DATA_BYTES } from "../../tools/src/model/constants.ts";
import { checkRules } from "../../tools/src/values/rules.ts";
import { loadValues } from "../../tools/src/values/load.ts";
import { checkSizes } from "../../tools/src/values/sizes.ts";
import { validateValues } from "../../tools/src/values/validate.ts";
import { tmpValues } from "../../tools/src/local/tmp.ts";
import { valuesOf } from "../lib/cases.ts";

const base = await valuesOf(repoPath("test/helm/02-three-tailnets.in.yaml"));
const mutate = (f: (v: Values) => void): Values => {
  const v = structuredClone(base);
  f(v);
  return v;
};
const tn = (v: Values, i: number) => v.tailnets[i]!;
const sv = (v: Values, t: number, s: number) => tn(v, t).services[s]!;

describe("cross-field rules", () => {
  it("accept a valid release", () => {
    expect(checkRules(base, "tailscale-egress")).toEqual([]);
  });

  it("accept OAuth credentials inline or from a Secret, with tailnet or default tags", () => {
    const v = mutate((x) => {
      delete tn(x, 0).authKey;
      tn(x, 0).oauth = { clientId: "k", clientSecret: "tskey-client-k-s?ephemeral=false" };
      delete tn(x, 1).authKey;
      tn(x, 1).oauth = { existingSecret: { name: "s", clientIdKey: "id" } };
      tn(x, 1).tags = ["tag:x"];
      x.tailscale.tags = [];
      tn(x, 0).tags = ["tag:y"];
    });
    expect(checkRules(v, "tailscale-egress")).toEqual([]);
  });

  it("accept a ServiceAccount the user brings when it is named, or when the chart grants nothing", () => {
    for (const f of [
      (v: Values) => ((v.serviceAccount.create = false), (v.serviceAccount.name = "mine")),
      (v: Values) => ((v.serviceAccount.create = false), (v.rbac.create = false)),
      (v: Values) => ((v.serviceAccount.create = false), (v.tailscale.state = "emptyDir")),
    ]) {
      expect(checkRules(mutate(f), "tailscale-egress")).toEqual([]);
    }
  });

  it("accept the whole port space with the default reserved ports: 56 tailnets x 500 services", () => {
    const full = mutate((v) => {
      v.tailnets = Array.from({ length: 56 }, (_, t) => ({
        name: `t${t}`,
        authKey: "k",
        services: Array.from({ length: 500 }, (_, s) => ({ host: `h${s}.ts.net`, port: 443 })),
      }));
    });
    expect(checkRules(full, "tailscale-egress")).toEqual([]);
  });

  it.each<[string, (v: Values) => void, string, string]>([
    ["duplicate tailnet names", (v) => (tn(v, 1).name = "corp"), "tailnets[1].name", "already the name of tailnets[0]"],
    ["non DNS-1123 names", (v) => (tn(v, 0).name = "Corp_1"), "tailnets[0].name", "not a DNS-1123 label"],
    ["names too long for Kubernetes", (v) => (tn(v, 0).name = "a".repeat(50)), "tailnets[0].name", "at most 63"],
    [
      "no auth",
      (v) => delete tn(v, 0).authKey,
      "tailnets[0]",
      "no credentials: set exactly one of authKey, existingSecret and oauth",
    ],
    [
      "both auths",
      (v) => (tn(v, 0).existingSecret = { name: "s" }),
      "tailnets[0]",
      "authKey and existingSecret are set",
    ],
    [
      "auth key and oauth",
      (v) => (tn(v, 0).oauth = { existingSecret: { name: "s" } }),
      "tailnets[0]",
      "authKey and oauth are set",
    ],
    [
      "oauth without a secret",
      (v) => (delete tn(v, 0).authKey, (tn(v, 0).oauth = { clientId: "k" })),
      "tailnets[0].oauth",
      "give either clientId and clientSecret",
    ],
    [
      "oauth inline and from a Secret",
      (v) => (
        delete tn(v, 0).authKey,
        (tn(v, 0).oauth = { clientId: "k", clientSecret: "tskey-client-k-s", existingSecret: { name: "s" } })
      ),
      "tailnets[0].oauth",
      "give either clientId and clientSecret",
    ],
    [
      "oauth with an auth key as secret",
      (v) => (delete tn(v, 0).authKey, (tn(v, 0).oauth = { clientId: "k", clientSecret: "tskey-auth-k" })),
      "tailnets[0].oauth.clientSecret",
      "tskey-client-",
    ],
    [
      "oauth with no tags",
      (v) => (delete tn(v, 0).authKey, (tn(v, 0).oauth = { existingSecret: { name: "s" } }), (v.tailscale.tags = [])),
      "tailnets[0].oauth",
      "need ACL tags: set tailnets[0].tags or tailscale.tags",
    ],
    [
      "login server not http(s)",
      (v) => (tn(v, 0).loginServer = "ftp://x"),
      "tailnets[0].loginServer",
      "not an http(s) URL",
    ],
    ["tags without tag:", (v) => (tn(v, 2).tags = ["edge"]), "tailnets[2].tags[0]", "tag:<name>"],
    ["default tags without tag:", (v) => (v.tailscale.tags = ["egress"]), "tailscale.tags[0]", "tag:<name>"],
    [
      "host with scheme",
      (v) => (sv(v, 0, 0).host = "https://web"),
      "tailnets[0].services[0].host",
      "without scheme, path, port or spaces",
    ],
    ["host with path", (v) => (sv(v, 0, 0).host = "web/x"), "tailnets[0].services[0].host", "bare host name"],
    ["host with port", (v) => (sv(v, 0, 0).host = "web:443"), "tailnets[0].services[0].host", "bare host name"],
    ["host with spaces", (v) => (sv(v, 0, 0).host = "web corp"), "tailnets[0].services[0].host", "bare host name"],
    ["udp", (v) => (sv(v, 1, 0).protocol = "udp"), "tailnets[1].services[0].protocol", "cannot carry UDP"],
    ["bad port name", (v) => (sv(v, 0, 2).name = "Bad_Name"), "tailnets[0].services[2].name", "not a valid port name"],
    [
      "duplicate port name",
      (v) => (sv(v, 2, 1).name = "corp-web"),
      "tailnets[2].services[1].name",
      'port name "corp-web" is already used',
    ],
    ["duplicate slot", (v) => (tn(v, 2).slot = 0), "tailnets[2].slot", "slot 0 is already used by tailnets[0]"],
    [
      "zero timeout",
      (v) => (sv(v, 0, 0).connectTimeout = "0ms"),
      "tailnets[0].services[0].connectTimeout",
      "greater than 0",
    ],
    [
      "timeout without unit",
      (v) => (sv(v, 0, 0).connectTimeout = "5"),
      "tailnets[0].services[0].connectTimeout",
      '"5" must be a duration greater than 0, such as 500ms, 5s or 1.5s',
    ],
    [
      "timeout in minutes",
      (v) => (tn(v, 1).connectTimeout = "1m"),
      "tailnets[1].connectTimeout",
      "such as 500ms, 5s or 1.5s",
    ],
    [
      "listen port on a proxy",
      (v) => (sv(v, 1, 0).listenPort = 10552),
      "tailnets[1].services[0]",
      "collides with the HTTP proxy of tailnets[2]",
    ],
    [
      "listen port on admin",
      (v) => (sv(v, 0, 0).listenPort = 10500),
      "tailnets[0].services[0]",
      "collides with envoy.adminPort",
    ],
    [
      "two services on one port",
      (v) => (sv(v, 1, 0).listenPort = 10001),
      "tailnets[1].services[0]",
      "collides with tailnets[0].services[1]",
    ],
    [
      "chart RBAC for the namespace's default ServiceAccount",
      (v) => (v.serviceAccount.create = false),
      "serviceAccount.name",
      `bind the state Secrets' Role to the namespace's "default" ServiceAccount`,
    ],
    ["a full name too long", (v) => (v.fullnameOverride = "x".repeat(53)), "fullnameOverride", "at most 52"],
  ])("refuse %s", (_what, f, path, fragment) => {
    const errors = checkRules(mutate(f), "tailscale-egress");
    expect(errors.map((e) => e.path)).toContain(path);
    expect(errors.find((e) => e.path === path)?.message).toContain(fragment);
  });
});

describe("the chart's Secret size", () => {
  // The API server accepts at most 1 MiB of data in one Secret; inline OAuth credentials count like auth keys.
  const big = (n: number) => ({
    tailnets: [
      {
        name: "corp",
        oauth: { clientId: "k", clientSecret: `tskey-client-${"x".repeat(n)}` },
        services: [{ host: "web.corp.ts.net", port: 443 }],
      },
      { name: "lab", authKey: "tskey-auth-lab", services: [{ host: "git.lab.ts.net", port: 22 }] },
    ],
  });
  const over = MAX_OBJECT_DATA_BYTES - "k".length - "tskey-client-".length - "tskey-auth-lab".length + 1;

  it("counts inline OAuth credentials, in TS and the chart alike", async () => {
    const file = tmpValues(big(over));
    const r0 = validateValues(await loadValues([file]), "tailscale-egress");
    const errors = r0.ok ? [] : r0.errors;
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining(`the auth-key Secret would hold ${MAX_OBJECT_DATA_BYTES + 1} bytes`),
    ]);
    const r = await helmTemplate({ major: 3, valuesFiles: [file] });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain(errors[0]!.message);
  });

  it("accepts exactly 1 MiB", async () => {
    expect(checkSizes(await valuesOf(tmpValues(big(over - 1))), "tailscale-egress")).toEqual([]);
  });
});
