// The local node's images (tools/src/local/cluster/images.ts): reproducible single-layer OCI archives, one for
// every image the chart renders by default, whose binaries run from the image's own root filesystem.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findOne, testHook, type Manifest } from "../../tools/src/helm/manifests.ts";
import { repoPath } from "../../tools/src/lib/paths.ts";
import {
  buildAllImages,
  buildImage,
  CHART_IMAGES,
  chartDefaultImageRefs,
  corednsImage,
  pauseImage,
  readImageArchive,
  staticBusybox,
  type BuiltImage,
  type ImageSpec,
} from "../../tools/src/local/cluster/images.ts";
import { readTar, writeTar, type TarEntry } from "../../tools/src/local/cluster/tar.ts";
import { renderValues } from "../../tools/src/local/pod/demo.ts";
import { tempDir } from "../../tools/src/local/lab/tempdirs.ts";

let dir: string;
beforeAll(() => {
  dir = tempDir("tse-images");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The layer of an archive unpacked by GNU tar (not our reader) into a fresh directory: the image's rootfs,
 * plus /dev/null. */
function rootfs(archive: string): string {
  const layout = mkdtempSync(join(dir, "layout-"));
  execFileSync("tar", ["-xf", archive, "-C", layout]);
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"));
  const blob = (d: string) => join(layout, "blobs", "sha256", d.replace(/^sha256:/, ""));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), "utf8"));
  const root = join(layout, "rootfs");
  mkdirSync(root);
  execFileSync("tar", ["-xzf", blob(manifest.layers[0].digest), "-C", root]);
  // What a container runtime adds: /dev/null (scripts redirect to it).
  mkdirSync(join(root, "dev"));
  execFileSync("mknod", ["-m", "666", join(root, "dev", "null"), "c", "1", "3"]);
  return root;
}

/** The content of a regular file among tar entries. */
function dataOf(entries: TarEntry[], path: string): string {
  const e = entries.find((x) => x.path === path);
  if (e?.type !== "file") throw new Error(`${path}: no such file`);
  return String(e.data);
}

const small: ImageSpec = {
  ref: "docker.io/example/small:1.0",
  files: [
    { path: "/usr/local/bin/tool", bytes: "#!/bin/sh\necho hi\n", mode: 0o755 },
    { path: "/bin/sh", symlink: "busybox" },
    { path: "/tmp", dir: true, mode: 0o1777 },
    { path: "/home/nonroot", dir: true, mode: 0o700, uid: 65532, gid: 65532 },
    { path: `/deep/${"d".repeat(120)}/file`, bytes: "long path" },
    { path: "/etc/passwd", file: "/etc/hostname", mode: 0o644 },
  ],
  config: { Entrypoint: ["/usr/local/bin/tool"], Cmd: ["x"], User: "65532", WorkingDir: "/home/nonroot" },
};

describe("tar writer", () => {
  it("writes ustar with PAX long names that GNU tar and our reader read back", () => {
    const entries = [
      { type: "dir" as const, path: "a", mode: 0o755, uid: 0, gid: 0 },
      { type: "file" as const, path: `a/${"x".repeat(150)}`, mode: 0o600, uid: 7, gid: 8, data: Buffer.from("hi") },
      { type: "symlink" as const, path: "a/l", mode: 0o777, uid: 0, gid: 0, target: `/${"t".repeat(120)}` },
    ];
    const file = join(dir, "t.tar");
    writeFileSync(file, writeTar(entries));
    expect(execFileSync("tar", ["-tf", file], { encoding: "utf8" }).split("\n").filter(Boolean)).toEqual([
      "a/",
      `a/${"x".repeat(150)}`,
      "a/l",
    ]);
    const back = readTar(readFileSync(file));
    expect(back.map((e) => [e.type, e.path, e.mode, e.uid, e.gid])).toEqual([
      ["dir", "a/", 0o755, 0, 0],
      ["file", `a/${"x".repeat(150)}`, 0o600, 7, 8],
      ["symlink", "a/l", 0o777, 0, 0],
    ]);
    expect(back[2]).toMatchObject({ target: `/${"t".repeat(120)}` });
  });
});

describe("buildImage", () => {
  it("is reproducible: the same inputs give the same manifest digest and the same archive bytes", async () => {
    const a = await buildImage({ ...small, out: join(dir, "a.tar") });
    const b = await buildImage({ ...small, files: [...small.files].reverse(), out: join(dir, "b.tar") });
    expect(b.digest).toBe(a.digest);
    expect(readFileSync(b.archive).equals(readFileSync(a.archive))).toBe(true);
    const c = await buildImage({ ...small, config: { ...small.config, Cmd: ["y"] }, out: join(dir, "c.tar") });
    expect(c.digest).not.toBe(a.digest);
  });

  it("writes an OCI image layout: index → manifest → config and layer, every digest checked", async () => {
    const built = await buildImage({ ...small, out: join(dir, "layout.tar") });
    const img = readImageArchive(built.archive); // throws on any digest, size or diff_id mismatch
    expect(img).toMatchObject({ ref: small.ref, digest: built.digest });
    expect(img.config).toMatchObject({ architecture: "amd64", os: "linux", config: small.config });
    const layout = readTar(readFileSync(built.archive));
    expect(layout.slice(0, 4).map((e) => e.path)).toEqual(["oci-layout", "index.json", "blobs/", "blobs/sha256/"]);
    const index = JSON.parse(dataOf(layout, "index.json"));
    expect(index.manifests[0].annotations).toEqual({
      "io.containerd.image.name": "docker.io/example/small:1.0",
      "org.opencontainers.image.ref.name": "1.0",
    });
    // Sorted, parents added, every mtime 0, modes and owners as given.
    expect(img.layer.map((e) => [e.path, e.type, e.mode.toString(8), e.uid, e.mtime])).toEqual([
      ["bin/", "dir", "755", 0, 0],
      ["bin/sh", "symlink", "777", 0, 0],
      ["deep/", "dir", "755", 0, 0],
      [`deep/${"d".repeat(120)}/`, "dir", "755", 0, 0],
      [`deep/${"d".repeat(120)}/file`, "file", "644", 0, 0],
      ["etc/", "dir", "755", 0, 0],
      ["etc/passwd", "file", "644", 0, 0],
      ["home/", "dir", "755", 0, 0],
      ["home/nonroot/", "dir", "700", 65532, 0],
      ["tmp/", "dir", "1777", 0, 0],
      ["usr/", "dir", "755", 0, 0],
      ["usr/local/", "dir", "755", 0, 0],
      ["usr/local/bin/", "dir", "755", 0, 0],
      ["usr/local/bin/tool", "file", "755", 0, 0],
    ]);
    expect(img.layer.find((e) => e.path === "bin/sh")).toMatchObject({ target: "busybox" });
    expect(dataOf(img.layer, "etc/passwd")).toBe(readFileSync("/etc/hostname", "utf8"));
  });

  it("refuses a digest reference, a path listed twice and a file under a non-directory", async () => {
    const out = join(dir, "bad.tar");
    await expect(buildImage({ ...small, ref: "docker.io/x/y@sha256:00", out })).rejects.toThrow(/digest reference/);
    const twice = [...small.files, { path: "/tmp/", dir: true as const }];
    await expect(buildImage({ ...small, files: twice, out })).rejects.toThrow(/\/tmp\/ is listed twice/);
    const under = [...small.files, { path: "/bin/sh/x", bytes: "" }];
    await expect(buildImage({ ...small, files: under, out })).rejects.toThrow(/\/bin\/sh is a symlink/);
  });
});

describe("node images (a static busybox as the payload)", () => {
  it("pause: /pause alone, ENTRYPOINT /pause, user 65535", async () => {
    const built = await buildImage({
      ...pauseImage("registry.k8s.io/pause:3.10", staticBusybox()),
      out: join(dir, "p.tar"),
    });
    const img = readImageArchive(built.archive);
    expect(img.ref).toBe("registry.k8s.io/pause:3.10");
    expect(img.config.config).toEqual({ User: "65535:65535", Entrypoint: ["/pause"], WorkingDir: "/" });
    expect(img.layer.map((e) => [e.path, e.mode.toString(8)])).toEqual([["pause", "755"]]);
  });

  it("coredns: /coredns and /tmp, ENTRYPOINT /coredns", async () => {
    const ref = "registry.k8s.io/coredns/coredns:v1.15.0";
    const built = await buildImage({ ...corednsImage(ref, staticBusybox()), out: join(dir, "c.tar") });
    const img = readImageArchive(built.archive);
    expect(img.config.config).toMatchObject({ Entrypoint: ["/coredns"] });
    expect(img.layer.map((e) => [e.path, e.mode.toString(8)])).toEqual([
      ["coredns", "755"],
      ["tmp/", "1777"],
    ]);
  });

  it("refuses a dynamic binary, and a missing one is an error naming `tools/toolchain.sh node`", async () => {
    expect(() => pauseImage("registry.k8s.io/pause:3.10", "/bin/ls")).toThrow(/needs a static binary/);
    // toolPath reads TOOLS_DIR once, at import: ask a process whose TOOLS_DIR is empty.
    const script = join(dir, "missing.mts");
    writeFileSync(
      script,
      `import { imageSpec } from ${JSON.stringify(repoPath("tools/src/local/cluster/images.ts"))};\n` +
        `for (const n of ["pause", "coredns"] as const) { try { imageSpec(n); } catch (e) { console.log((e as Error).message); } }\n`,
    );
    const empty = mkdtempSync(join(dir, "tools-"));
    const r = await execa(repoPath("node_modules/.bin/tsx"), [script], { env: { TOOLS_DIR: empty } });
    expect(r.stdout.split("\n")).toEqual([
      expect.stringMatching(/^pause is not installed .*install with: bash tools\/toolchain\.sh node /),
      expect.stringMatching(/^coredns is not installed .*install with: bash tools\/toolchain\.sh node /),
    ]);
  });
});

describe("the chart's default images", () => {
  let built: BuiltImage[];
  const byRef = (ref: string): BuiltImage => built.find((b) => b.ref === ref)!;
  beforeAll(async () => {
    built = await buildAllImages(join(dir, "images"), CHART_IMAGES);
  });

  it("every image the chart renders by default (workload and helm test pod) is built locally", async () => {
    const ms = await renderValues({
      tailnets: [{ name: "a", authKey: "tskey-auth-a", services: [{ host: "web.a.ts.net", port: 80 }] }],
    });
    const images = (m: Manifest): string[] => {
      const spec = (m.kind === "Pod" ? m.spec : (m.spec as { template: { spec: unknown } }).template.spec) as {
        containers: { image: string }[];
        initContainers?: { image: string }[];
      };
      return [...spec.containers, ...(spec.initContainers ?? [])].map((c) => c.image);
    };
    const rendered = new Set([...images(findOne(ms, "StatefulSet")), ...images(testHook(ms).hook)]);
    const refs = chartDefaultImageRefs();
    expect([...rendered].sort()).toEqual([refs.envoy, refs.tailscale, refs.tests].sort());
    expect([...rendered].sort()).toEqual(built.map((b) => b.ref).sort());
    expect(refs).toEqual({
      tailscale: expect.stringMatching(/^docker\.io\/tailscale\/tailscale:v\d+\.\d+\.\d+$/),
      envoy: expect.stringMatching(/^docker\.io\/envoyproxy\/envoy:distroless-v\d+\.\d+\.\d+$/),
      tests: expect.stringMatching(/^docker\.io\/library\/busybox:\d+\.\d+\.\d+$/),
    });
  });

  it("rebuilds nothing when the inputs are unchanged", async () => {
    const again = await buildAllImages(join(dir, "images"), CHART_IMAGES);
    expect(again).toEqual(built);
  });

  it("envoy: distroless layout, and the binary runs from the image's rootfs as nonroot at the tag's version", () => {
    const ref = chartDefaultImageRefs().envoy;
    const img = readImageArchive(byRef(ref).archive);
    expect(img.config.config).toMatchObject({
      User: "65532",
      Entrypoint: ["/usr/local/bin/envoy"],
      Cmd: ["-c", "/etc/envoy/envoy.yaml"],
      WorkingDir: "/home/nonroot",
    });
    const paths = img.layer.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["usr/local/bin/envoy", "lib64/ld-linux-x86-64.so.2", "tmp/"]));
    const root = rootfs(byRef(ref).archive);
    const version = ref.replace(/^.*:distroless-v/, "");
    const run = (...args: string[]) =>
      execFileSync("chroot", ["--userspec=65532:65532", root, "/usr/local/bin/envoy", ...args], { encoding: "utf8" });
    expect(run("--version")).toContain(`/${version}/`);
    expect(run("--mode", "validate", "-c", "/etc/envoy/envoy.yaml")).toContain("OK");
  });

  it("tailscale: containerboot entrypoint, busybox sh, wget and nc, binaries at the tag's version", () => {
    const ref = chartDefaultImageRefs().tailscale;
    const img = readImageArchive(byRef(ref).archive);
    expect(img.config.config).toMatchObject({ Entrypoint: ["/usr/local/bin/containerboot"] });
    expect(img.config.config.User).toBeUndefined();
    const root = rootfs(byRef(ref).archive);
    const sh = (script: string) =>
      execFileSync("chroot", ["--userspec=65532:65532", root, "/bin/sh", "-c", script], { encoding: "utf8" });
    expect(sh("wget --help 2>&1; nc --help 2>&1; cat --help 2>&1; echo done")).toMatch(/Usage: wget[\s\S]*done/);
    expect(sh("tailscale version")).toContain(ref.replace(/^.*:v/, ""));
    expect(
      sh("for c in containerboot tailscaled; do command -v $c; done; for l in wget nc sh; do readlink /bin/$l; done"),
    ).toBe("/usr/local/bin/containerboot\n/usr/local/bin/tailscaled\nbusybox\nbusybox\nbusybox\n");
  });

  it("busybox: CMD sh, and the chart's helm test script runs in it (a closed port reports FAIL)", async () => {
    const ref = chartDefaultImageRefs().tests;
    const img = readImageArchive(byRef(ref).archive);
    expect(img.config.config).toMatchObject({ Cmd: ["sh"] });
    const root = rootfs(byRef(ref).archive);
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const script = readFileSync(repoPath("files/check-ports.sh"), "utf8");
    const args = ["sh", "-c", script, "check-ports", "-w", "1", `down=127.0.0.1:${closed}`];
    const r = await execa("chroot", ["--userspec=65532:65532", root, ...args], { reject: false });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/FAIL\s+down\s+127\.0\.0\.1:\d+/);
    expect(r.exitCode).toBe(1);
  });

  // Debian's busybox (1.35, static or not) is built without NC_EXTRA, so its nc has no -z; the chart's helm test
  // script (files/check-ports.sh) then connects with plain nc and closes at once on stdin's EOF.
  it("busybox: nc has no -z (Debian's build), and the helm test script still reports an open port ok", async () => {
    const root = rootfs(byRef(chartDefaultImageRefs().tests).archive);
    const server: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const noZ = await execa("chroot", [root, "nc", "-z", "-w", "1", "127.0.0.1", String(port)], { reject: false });
      expect(noZ.stderr).toContain("invalid option -- 'z'");
      const script = readFileSync(repoPath("files/check-ports.sh"), "utf8");
      const args = ["sh", "-c", script, "check-ports", "-w", "2", `up=127.0.0.1:${port}`];
      const r = await execa("chroot", ["--userspec=65532:65532", root, ...args], { reject: false });
      expect(r.stderr).toBe("");
      expect(r.stdout.split("\n")).toEqual([`ok    up 127.0.0.1:${port}`, "all 1 port(s) accept connections"]);
      expect(r.exitCode).toBe(0);
    } finally {
      server.close();
    }
  });
});
