// Container images for the local single-node Kubernetes, built from local binaries with no registry: each is
// one gzip layer in an OCI image-layout tar archive, imported with `ctr -n k8s.io images import <archive>`
// (containerd names the image from the index's io.containerd.image.name annotation). Every mtime is 0 and
// entries are sorted, so the same inputs give the same manifest digest. The images are laid out like the
// official ones the chart names by default, so the chart's pod runs under a real kubelet unchanged.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gunzipSync, gzip } from "node:zlib";
import { parse } from "yaml";
import { repoPath } from "../../lib/paths.ts";
import { MissingToolError, toolPath } from "../../lib/toolpaths.ts";
import { readTar, writeTar, type TarEntry } from "./tar.ts";

/** One path in an image; its content comes from a host file, bytes, a symlink target, or it is a directory. */
export type ImageFile = { path: string; mode?: number; uid?: number; gid?: number } & (
  | { file: string }
  | { bytes: Uint8Array | string }
  | { symlink: string }
  | { dir: true }
);

/** The OCI image config fields these images set (the `config` object of the image configuration). */
export interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
}

export interface ImageSpec {
  /** Full reference with registry and tag, e.g. docker.io/library/busybox:1.37.0. */
  ref: string;
  files: ImageFile[];
  config: ImageConfig;
}

export interface BuiltImage {
  ref: string;
  archive: string;
  /** sha256:… of the image manifest: what containerd and the kubelet report as the image's digest. */
  digest: string;
}

const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;
const EPOCH = "1970-01-01T00:00:00Z";
const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const sha256 = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

/** Splits a reference into repository and tag (a digest reference cannot be built: its digest is the content's). */
export function splitRef(ref: string): { repository: string; tag: string } {
  if (ref.includes("@")) throw new Error(`${ref}: a digest reference cannot be built locally; use a tag`);
  const colon = ref.lastIndexOf(":");
  if (colon <= ref.lastIndexOf("/")) throw new Error(`${ref}: no tag`);
  return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

/** The layer's tar entries: sorted by path, parent directories added (0755 root), duplicates refused. */
export function layerEntries(files: readonly ImageFile[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const f of files) {
    const path = f.path.replace(/^\/+/, "").replace(/\/+$/, "");
    if (!path || path.split("/").some((p) => p === "" || p === "." || p === "..")) {
      throw new Error(`image file path ${JSON.stringify(f.path)} is not a clean absolute path`);
    }
    if (byPath.has(path)) throw new Error(`image file ${f.path} is listed twice`);
    const ids = { uid: f.uid ?? 0, gid: f.gid ?? 0 };
    let e: TarEntry;
    if ("dir" in f) e = { type: "dir", path, mode: f.mode ?? 0o755, ...ids };
    else if ("symlink" in f) e = { type: "symlink", path, mode: f.mode ?? 0o777, target: f.symlink, ...ids };
    else if ("bytes" in f) {
      const data = typeof f.bytes === "string" ? Buffer.from(f.bytes) : f.bytes;
      e = { type: "file", path, mode: f.mode ?? 0o644, data, ...ids };
    } else {
      const host = realpathSync(f.file);
      e = { type: "file", path, mode: f.mode ?? statSync(host).mode & 0o7777, data: readFileSync(host), ...ids };
    }
    byPath.set(path, e);
  }
  for (const path of [...byPath.keys()]) {
    for (let d = dirname(path); d !== "."; d = dirname(d)) {
      const have = byPath.get(d);
      if (have && have.type !== "dir") throw new Error(`image path /${d} is a ${have.type} but /${path} is under it`);
      if (!have) byPath.set(d, { type: "dir", path: d, mode: 0o755, uid: 0, gid: 0 });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The blobs and index of one single-layer image, in memory. */
async function imageBlobs(spec: ImageSpec): Promise<{ blobs: Buffer[]; index: Buffer; digest: string }> {
  const { tag } = splitRef(spec.ref);
  const tar = writeTar(layerEntries(spec.files));
  // Node's gzip header carries mtime 0 and no file name, so equal tars give equal layers.
  const layer = await promisify(gzip)(tar, { level: 6 });
  const config = json({
    created: EPOCH,
    architecture: "amd64",
    os: "linux",
    config: spec.config,
    rootfs: { type: "layers", diff_ids: [sha256(tar)] },
    history: [{ created: EPOCH, created_by: "tools/src/local/cluster/images.ts" }],
  });
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: sha256(config), size: config.length },
    layers: [{ mediaType: MEDIA.layer, digest: sha256(layer), size: layer.length }],
  });
  const digest = sha256(manifest);
  const index = json({
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        mediaType: MEDIA.manifest,
        digest,
        size: manifest.length,
        platform: { architecture: "amd64", os: "linux" },
        annotations: { "io.containerd.image.name": spec.ref, "org.opencontainers.image.ref.name": tag },
      },
    ],
  });
  return { blobs: [config, manifest, layer], index, digest };
}

/** Writes the image as an OCI image-layout tar archive at `out` (atomically) and returns its manifest digest. */
export async function buildImage(spec: ImageSpec & { out: string }): Promise<BuiltImage> {
  const { blobs, index, digest } = await imageBlobs(spec);
  const root = { uid: 0, gid: 0 };
  const entries: TarEntry[] = [
    { type: "file", path: "oci-layout", mode: 0o644, ...root, data: json({ imageLayoutVersion: "1.0.0" }) },
    { type: "file", path: "index.json", mode: 0o644, ...root, data: index },
    { type: "dir", path: "blobs", mode: 0o755, ...root },
    { type: "dir", path: "blobs/sha256", mode: 0o755, ...root },
    ...blobs.map(
      (data): TarEntry => ({ type: "file", path: `blobs/sha256/${sha256(data).slice(7)}`, mode: 0o644, ...root, data }),
    ),
  ];
  mkdirSync(dirname(spec.out), { recursive: true });
  const tmp = `${spec.out}.${process.pid}.tmp`;
  writeFileSync(tmp, writeTar(entries));
  renameSync(tmp, spec.out);
  return { ref: spec.ref, archive: spec.out, digest };
}

/** An OCI archive read back: the index's image name, manifest digest, config and layer tar, every digest checked. */
export function readImageArchive(archive: string): {
  ref: string;
  digest: string;
  config: { architecture: string; os: string; config: ImageConfig; rootfs: { diff_ids: string[] } };
  layer: TarEntry[];
} {
  const files = new Map(readTar(readFileSync(archive)).flatMap((e) => (e.type === "file" ? [[e.path, e.data]] : [])));
  const blob = (d: { digest: string; size: number }): Buffer => {
    const b = files.get(`blobs/sha256/${d.digest.replace(/^sha256:/, "")}`);
    if (!b) throw new Error(`${archive}: blob ${d.digest} missing`);
    if (sha256(b) !== d.digest || b.length !== d.size) throw new Error(`${archive}: blob ${d.digest} does not match`);
    return Buffer.from(b);
  };
  const layout = JSON.parse(String(files.get("oci-layout")));
  if (layout.imageLayoutVersion !== "1.0.0") throw new Error(`${archive}: not an OCI image layout`);
  const index = JSON.parse(String(files.get("index.json")));
  if (index.manifests?.length !== 1) throw new Error(`${archive}: expected one manifest in index.json`);
  const m = index.manifests[0];
  const manifest = JSON.parse(String(blob(m)));
  const config = JSON.parse(String(blob(manifest.config)));
  if (manifest.layers.length !== 1) throw new Error(`${archive}: expected one layer`);
  const tar = gunzipSync(blob(manifest.layers[0]));
  if (config.rootfs.diff_ids[0] !== sha256(tar)) throw new Error(`${archive}: diff_id does not match the layer`);
  return { ref: m.annotations["io.containerd.image.name"], digest: m.digest, config, layer: readTar(tar) };
}

// ---- The images the chart and the node need, laid out like the official ones ----

/** Image names this module builds: the chart's three defaults and the node's pause and CoreDNS. */
export const IMAGE_NAMES = ["tailscale", "envoy", "busybox", "pause", "coredns"] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];
/** The images `helm template` with default values names (Tailscale, Envoy, the `helm test` busybox). */
export const CHART_IMAGES = ["tailscale", "envoy", "busybox"] as const satisfies readonly ImageName[];

/** The references the chart renders by default: each `*.image` of values.yaml through the chart's image helper
 * (`global.imageRegistry` over `registry`, then `registry/repository:tag`, or `@digest` when a digest is set). */
export function chartDefaultImageRefs(
  valuesFile = repoPath("values.yaml"),
): Record<"tailscale" | "envoy" | "tests", string> {
  type Image = { registry?: string; repository: string; tag: string; digest?: string };
  const v = parse(readFileSync(valuesFile, "utf8")) as {
    global?: { imageRegistry?: string };
    tailscale: { image: Image };
    envoy: { image: Image };
    tests: { image: Image };
  };
  const ref = (img: Image): string => {
    const registry = v.global?.imageRegistry || img.registry || "";
    const repo = registry ? `${registry}/${img.repository}` : img.repository;
    return img.digest ? `${repo}@${img.digest}` : `${repo}:${img.tag}`;
  };
  return { tailscale: ref(v.tailscale.image), envoy: ref(v.envoy.image), tests: ref(v.tests.image) };
}

/** KEY=value pins of tools/toolchain.env, for the node images' tags. */
function toolchainPin(key: string, fallback: string): string {
  const line = readFileSync(repoPath("tools/toolchain.env"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${key}=`));
  return line ? line.slice(key.length + 1).trim() : fallback;
}

/** registry.k8s.io references of the node images; tags from tools/toolchain.env (PAUSE_VERSION, COREDNS_VERSION). */
export function nodeImageRefs(): Record<"pause" | "coredns", string> {
  const coredns = toolchainPin("COREDNS_VERSION", "v1.15.0");
  return {
    pause: `registry.k8s.io/pause:${toolchainPin("PAUSE_VERSION", "3.10")}`,
    coredns: `registry.k8s.io/coredns/coredns:${coredns.startsWith("v") ? coredns : `v${coredns}`}`,
  };
}

const NONROOT = 65532;
/** /etc/passwd and /etc/group with root, nobody and the distroless "nonroot" (65532) the chart runs as. */
function accounts(shell: string): ImageFile[] {
  return [
    {
      path: "/etc/passwd",
      bytes: `root:x:0:0:root:/root:${shell}\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n`,
    },
    { path: "/etc/group", bytes: `root:x:0:\nnobody:x:65534:\nnonroot:x:${NONROOT}:\n` },
    { path: "/tmp", dir: true, mode: 0o1777 },
  ];
}

/** True when the ELF file has no program interpreter (PT_INTERP), i.e. it runs without a dynamic loader. */
export function isStaticElf(file: string): boolean {
  const b = readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) throw new Error(`${file}: not a 64-bit LE ELF`);
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

/** The host's static busybox (Debian busybox-static), or a MissingToolError naming the package. */
export function staticBusybox(): string {
  for (const p of ["/bin/busybox", "/usr/bin/busybox"]) if (existsSync(p) && isStaticElf(p)) return p;
  throw new MissingToolError("a static /bin/busybox is not installed; install it with: apt-get install busybox-static");
}

/** /bin/busybox and a symlink /bin/<applet> -> busybox for every applet it lists, as library/busybox has. */
function busyboxFiles(): ImageFile[] {
  const bin = staticBusybox();
  const applets = execFileSync(bin, ["--list"], { encoding: "utf8" })
    .split("\n")
    .filter((a) => a && a !== "busybox");
  return [
    { path: "/bin/busybox", file: bin, mode: 0o755 },
    ...[...new Set(applets)].map((a): ImageFile => ({ path: `/bin/${a}`, symlink: "busybox" })),
  ];
}

/** tailscale/tailscale: alpine-based (mkctr, build_docker.sh): the three binaries in /usr/local/bin, a shell
 * and wget (the chart's command and preStop), ENTRYPOINT containerboot, root user. */
export function tailscaleImage(ref: string): ImageSpec {
  return {
    ref,
    files: [
      ...(["containerboot", "tailscaled", "tailscale"] as const).map(
        (t): ImageFile => ({ path: `/usr/local/bin/${t}`, file: toolPath(t), mode: 0o755 }),
      ),
      ...busyboxFiles(),
      ...accounts("/bin/sh"),
      ...["/home", "/run", "/usr/sbin", "/sbin", "/var/lib"].map((path): ImageFile => ({ path, dir: true })),
      { path: "/root", dir: true, mode: 0o700 },
      { path: "/var/run", symlink: "/run" },
    ],
    config: { Env: [PATH_ENV], Entrypoint: ["/usr/local/bin/containerboot"] },
  };
}

/** The shared libraries `ldd` lists for a dynamic binary: [path in the image, host file]. */
function sharedLibraries(binary: string): [string, string][] {
  const out = execFileSync("ldd", [binary], { encoding: "utf8" });
  const libs: [string, string][] = [];
  for (const line of out.split("\n")) {
    const m = /^\s*(?:(\S+) => )?(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (m) libs.push([m[2]!, realpathSync(m[2]!)]);
    else if (/=> not found/.test(line)) throw new Error(`${binary}: ${line.trim()}`);
  }
  if (!libs.some(([p]) => basename(p).startsWith("ld-linux"))) throw new Error(`${binary}: ldd shows no loader`);
  return libs;
}

/** The configuration the distroless image's CMD names; the chart mounts its own over /etc/envoy. */
const ENVOY_DEFAULT_CONFIG = `# Local image default: no listeners. The chart mounts its own configuration over /etc/envoy.
static_resources: {}
`;

/** envoyproxy/envoy:distroless-*: ci/Dockerfile-envoy's envoy-distroless stage on distroless base-nossl
 * (nonroot): /usr/local/bin/envoy with the glibc libraries it loads, ENTRYPOINT envoy, CMD -c the default
 * config, user 65532 (nonroot), working directory /home/nonroot. */
export function envoyImage(ref: string): ImageSpec {
  const envoy = realpathSync(toolPath("envoy"));
  return {
    ref,
    files: [
      { path: "/usr/local/bin/envoy", file: envoy, mode: 0o755 },
      ...sharedLibraries(envoy).map(([path, file]): ImageFile => ({ path, file, mode: 0o755 })),
      { path: "/etc/envoy/envoy.yaml", bytes: ENVOY_DEFAULT_CONFIG },
      ...accounts("/sbin/nologin"),
      { path: "/home/nonroot", dir: true, mode: 0o700, uid: NONROOT, gid: NONROOT },
      { path: "/root", dir: true, mode: 0o700 },
    ],
    config: {
      User: String(NONROOT),
      ExposedPorts: { "10000/tcp": {} },
      Env: [PATH_ENV],
      Entrypoint: ["/usr/local/bin/envoy"],
      Cmd: ["-c", "/etc/envoy/envoy.yaml"],
      WorkingDir: "/home/nonroot",
    },
  };
}

/** library/busybox: /bin/busybox and its applets, the usual top-level directories, CMD sh. */
export function busyboxImage(ref: string): ImageSpec {
  return {
    ref,
    files: [
      ...busyboxFiles(),
      ...accounts("/bin/sh"),
      ...["/home", "/usr/sbin", "/var/spool/mail", "/var/www"].map((path): ImageFile => ({ path, dir: true })),
      { path: "/root", dir: true, mode: 0o700 },
    ],
    config: { Env: [PATH_ENV], Cmd: ["sh"] },
  };
}

/** registry.k8s.io/pause: the static /pause alone, ENTRYPOINT /pause, user 65535. */
export function pauseImage(ref: string, binary: string): ImageSpec {
  if (!isStaticElf(binary)) throw new Error(`${binary}: the pause image needs a static binary`);
  return {
    ref,
    files: [{ path: "/pause", file: binary, mode: 0o755 }],
    config: { User: "65535:65535", Entrypoint: ["/pause"], WorkingDir: "/" },
  };
}

/** registry.k8s.io/coredns/coredns: the static /coredns from scratch, /tmp for its logs, ENTRYPOINT /coredns,
 * ports 53 tcp/udp. */
export function corednsImage(ref: string, binary: string): ImageSpec {
  if (!isStaticElf(binary)) throw new Error(`${binary}: the coredns image needs a static binary`);
  return {
    ref,
    files: [
      { path: "/coredns", file: binary, mode: 0o755 },
      { path: "/tmp", dir: true, mode: 0o1777 },
    ],
    config: { ExposedPorts: { "53/tcp": {}, "53/udp": {} }, Entrypoint: ["/coredns"] },
  };
}

/** The spec of each named image with its default reference and binaries from .tools/bin (MissingToolError if not
 * installed). */
export function imageSpec(name: ImageName): ImageSpec {
  const chart = chartDefaultImageRefs();
  const node = nodeImageRefs();
  switch (name) {
    case "tailscale":
      return tailscaleImage(chart.tailscale);
    case "envoy":
      return envoyImage(chart.envoy);
    case "busybox":
      return busyboxImage(chart.tests);
    case "pause":
      return pauseImage(node.pause, toolPath("pause"));
    case "coredns":
      return corednsImage(node.coredns, toolPath("coredns"));
  }
}

/** A key for the inputs: the spec with every host file's path, size and mtime, and this builder's own source. */
function inputKey(spec: ImageSpec): string {
  const h = createHash("sha256");
  for (const src of ["images.ts", "tar.ts"]) h.update(readFileSync(fileURLToPath(new URL(src, import.meta.url))));
  h.update(JSON.stringify({ ref: spec.ref, config: spec.config }));
  for (const f of spec.files) {
    const { path, mode, uid, gid } = f;
    let content: unknown;
    if ("file" in f) {
      const st = statSync(f.file);
      content = { file: realpathSync(f.file), size: st.size, mtime: st.mtimeMs };
    } else if ("bytes" in f) content = { bytes: sha256(typeof f.bytes === "string" ? Buffer.from(f.bytes) : f.bytes) };
    else content = "symlink" in f ? { symlink: f.symlink } : { dir: true };
    h.update(JSON.stringify({ path, mode, uid, gid, content }));
  }
  return h.digest("hex").slice(0, 16);
}

/** The manifest digest recorded in an archive's index.json. */
function archiveDigest(archive: string): string {
  const index = readTar(readFileSync(archive)).find((e) => e.path === "index.json");
  if (index?.type !== "file") throw new Error(`${archive}: no index.json`);
  return JSON.parse(String(index.data)).manifests[0].digest;
}

/** Builds the named images (all by default) into outDir as <ref>-<input key>.tar, reusing an archive whose
 * inputs are unchanged and removing older archives of the same reference. */
export async function buildAllImages(outDir: string, names: readonly ImageName[] = IMAGE_NAMES): Promise<BuiltImage[]> {
  mkdirSync(outDir, { recursive: true });
  const built: BuiltImage[] = [];
  for (const name of names) {
    const spec = imageSpec(name);
    const stem = spec.ref.replace(/[^A-Za-z0-9._-]+/g, "_");
    const archive = join(outDir, `${stem}-${inputKey(spec)}.tar`);
    if (existsSync(archive)) built.push({ ref: spec.ref, archive, digest: archiveDigest(archive) });
    else built.push(await buildImage({ ...spec, out: archive }));
    for (const old of readdirSync(outDir)) {
      if (/^(.*)-[0-9a-f]{16}\.tar$/.exec(old)?.[1] === stem && join(outDir, old) !== archive) {
        rmSync(join(outDir, old), { force: true });
      }
    }
  }
  return built;
}
