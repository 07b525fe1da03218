// A tiny fake Kubernetes API server (HTTPS on a loopback address) holding Secrets and Events in
// memory. It implements exactly what containerboot (cmd/containerboot/kube.go) and tailscaled's
// kube state store (ipn/store/kubestore, kube/kubeclient) call:
//   POST   /apis/authorization.k8s.io/v1/selfsubjectaccessreviews   (allowed per `permissions`)
//   GET    /api/v1/namespaces/<ns>/<secrets|events>[/<name>]       (list supports labelSelector a=b,c=d)
//   POST   /api/v1/namespaces/<ns>/<secrets|events>                (create, 409 if it exists)
//   PUT    /api/v1/namespaces/<ns>/<secrets|events>/<name>         (update, 409 on stale resourceVersion)
//   PATCH  .../<name> with application/json-patch+json (add/remove/replace; remove of a missing
//          path is 422 like the real server) or application/strategic-merge-patch+json /
//          application/merge-patch+json (maps merged, null deletes; enough for Secret data)
// Every request needs `Authorization: Bearer <token>`; everything is recorded in `requests`.
import https from "node:https";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { onCleanup } from "../../../tools/src/local/lab/cleanup.ts";
import { selfSignedCert } from "../../../tools/src/local/lab/tlscert.ts";
import { tempDir } from "../../../tools/src/local/lab/tempdirs.ts";

export type Verb = "get" | "list" | "create" | "update" | "patch" | "delete";
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export interface KubeRequestRecord {
  method: string;
  path: string;
  contentType: string;
  status: number;
  /** For SelfSubjectAccessReviews: "<verb> <resource>[/<name>]" */
  review?: string;
}

export interface FakeKubeApiOptions {
  namespace?: string;
  /** Loopback address to listen on; default a random 127.x.y.z so several labs never collide. */
  host?: string;
  /** Default 443, so the in-cluster default https://kubernetes.default.svc works via /etc/hosts. */
  port?: number;
  /** Decides SelfSubjectAccessReviews. Default: all verbs on secrets allowed, events denied. */
  permissions?: (verb: string, resource: string, name: string | undefined) => boolean;
}

export interface FakeKubeApi {
  readonly host: string;
  readonly port: number;
  readonly namespace: string;
  readonly token: string;
  readonly caCertPem: string;
  /** Directory laid out like /var/run/secrets/kubernetes.io/serviceaccount. */
  readonly serviceAccountDir: string;
  readonly requests: KubeRequestRecord[];
  /** Secret data decoded from base64 (undefined if the Secret does not exist). */
  secretData(name: string): Record<string, Buffer> | undefined;
  /** Create or replace a Secret (data values as raw bytes). */
  putSecret(name: string, data: Record<string, string | Buffer>): void;
  deleteSecret(name: string): void;
  secretNames(): string[];
  stop(): Promise<void>;
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
}

function ok(res: ServerResponse, code: number, body: JsonValue): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** RFC 7386 merge (also what strategic merge does for maps without lists). */
function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

class PatchError extends Error {}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** RFC 6902 add/remove/replace on objects (arrays only by index, enough for this API's users). */
function jsonPatch(doc: JsonObject, ops: JsonValue): JsonObject {
  if (!Array.isArray(ops)) throw new PatchError("JSON patch must be an array");
  const root = structuredClone(doc);
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== "string" || typeof op.path !== "string") throw new PatchError("bad op");
    const parts = op.path.split("/").slice(1).map(unescapePointer);
    const last = parts.pop();
    if (last === undefined) throw new PatchError("empty path");
    let parent: JsonValue = root;
    for (const p of parts) {
      const next: JsonValue | undefined = isObject(parent) ? parent[p] : Array.isArray(parent) ? parent[Number(p)] : undefined;
      if (next === undefined) throw new PatchError(`path ${op.path}: ${p} not found`);
      parent = next;
    }
    if (!isObject(parent)) throw new PatchError(`path ${op.path}: parent is not an object`);
    if (op.op === "remove") {
      if (!(last in parent)) throw new PatchError(`unable to remove nonexistent key: ${last}`);
      delete parent[last];
    } else if (op.op === "add" || op.op === "replace") {
      if (op.op === "replace" && !(last in parent)) throw new PatchError(`unable to replace nonexistent key: ${last}`);
      parent[last] = op.value ?? null;
    } else {
      throw new PatchError(`unsupported op ${op.op}`);
    }
  }
  return root;
}

function randomLoopback(): string {
  const b = crypto.randomBytes(3);
  return `127.${(b[0] ?? 0) % 250 + 2}.${b[1] ?? 0}.${(b[2] ?? 0) % 250 + 2}`;
}

export async function startFakeKubeApi(opts: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const namespace = opts.namespace ?? "lab";
  const host = opts.host ?? randomLoopback();
  const dir = tempDir("kubeapi");
  const cert = await selfSignedCert(dir, ["kubernetes.default.svc", "kubernetes.default", "kubernetes", "localhost"], [host, "127.0.0.1"]);
  const token = crypto.randomBytes(24).toString("hex");
  const saDir = path.join(dir, "serviceaccount");
  fs.mkdirSync(saDir);
  fs.writeFileSync(path.join(saDir, "namespace"), namespace);
  fs.writeFileSync(path.join(saDir, "token"), token);
  fs.writeFileSync(path.join(saDir, "ca.crt"), cert.certPem);

  const permissions = opts.permissions ?? ((_verb: string, resource: string) => resource === "secrets");
  const store = new Map<string, JsonObject>(); // key "<resource>/<name>"
  const requests: KubeRequestRecord[] = [];
  let rv = 1;

  const stamp = (obj: JsonObject, resource: string, name: string, prev?: JsonObject): JsonObject => {
    const meta: JsonObject = isObject(obj.metadata) ? { ...obj.metadata } : {};
    const prevMeta = prev && isObject(prev.metadata) ? prev.metadata : undefined;
    meta.name = name;
    meta.namespace = namespace;
    meta.uid = prevMeta?.uid ?? crypto.randomUUID();
    meta.creationTimestamp = prevMeta?.creationTimestamp ?? new Date().toISOString();
    meta.resourceVersion = String(++rv);
    const kind = resource === "secrets" ? "Secret" : "Event";
    const out: JsonObject = { ...obj, apiVersion: "v1", kind, metadata: meta };
    if (resource === "secrets") {
      if (out.type === undefined) out.type = "Opaque";
      if (out.data === null) delete out.data;
    }
    return out;
  };

  const readBody = (req: IncomingMessage): Promise<JsonValue> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve(text === "" ? null : (JSON.parse(text) as JsonValue));
        } catch (err) {
          reject(err);
        }
      });
      req.on("error", reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse, rec: KubeRequestRecord): Promise<void> => {
    if (req.headers.authorization !== `Bearer ${token}`) return status(res, 401, "Unauthorized", "Unauthorized");
    const url = new URL(req.url ?? "/", "https://x");
    const method = req.method ?? "GET";
    if (url.pathname === "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" && method === "POST") {
      const body = await readBody(req);
      const spec = isObject(body) && isObject(body.spec) && isObject(body.spec.resourceAttributes) ? body.spec.resourceAttributes : {};
      const verb = String(spec.verb ?? "");
      const resource = String(spec.resource ?? "");
      const name = typeof spec.name === "string" ? spec.name : undefined;
      rec.review = `${verb} ${resource}${name ? "/" + name : ""}`;
      const allowed = spec.namespace === namespace && permissions(verb, resource, name);
      return ok(res, 201, { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: isObject(body) ? body.spec ?? {} : {}, status: { allowed } });
    }
    const m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/(secrets|events)(?:\/([^/]+))?$/);
    if (!m) return status(res, 404, "NotFound", `the server could not find the requested resource (${url.pathname})`);
    const [, ns, resource = "", name] = m;
    if (ns !== namespace) return status(res, 403, "Forbidden", `namespace ${ns} is not ${namespace}`);
    const key = `${resource}/${name ?? ""}`;
    const existing = store.get(key);
    const notFound = (): void => status(res, 404, "NotFound", `${resource} "${name}" not found`);

    if (method === "GET" && name === undefined) {
      const sel = (url.searchParams.get("labelSelector") ?? "").split(",").filter(Boolean).map((s) => s.split("="));
      const items = [...store.entries()]
        .filter(([k]) => k.startsWith(`${resource}/`))
        .map(([, v]) => v)
        .filter((o) => {
          const labels = isObject(o.metadata) && isObject(o.metadata.labels) ? o.metadata.labels : {};
          return sel.every(([k, v]) => k !== undefined && labels[k] === v);
        });
      return ok(res, 200, { apiVersion: "v1", kind: resource === "secrets" ? "SecretList" : "EventList", metadata: { resourceVersion: String(rv) }, items });
    }
    if (method === "GET") return existing ? ok(res, 200, existing) : notFound();
    if (method === "POST" && name === undefined) {
      const body = await readBody(req);
      const newName = isObject(body) && isObject(body.metadata) ? body.metadata.name : undefined;
      if (!isObject(body) || typeof newName !== "string" || newName === "") return status(res, 422, "Invalid", "metadata.name is required");
      if (store.has(`${resource}/${newName}`)) return status(res, 409, "AlreadyExists", `${resource} "${newName}" already exists`);
      const obj = stamp(body, resource, newName);
      store.set(`${resource}/${newName}`, obj);
      return ok(res, 201, obj);
    }
    if (name === undefined) return status(res, 405, "MethodNotAllowed", `${method} not allowed on a collection`);
    if (method === "PUT") {
      if (!existing) return notFound();
      const body = await readBody(req);
      if (!isObject(body)) return status(res, 400, "BadRequest", "body must be an object");
      const sentRv = isObject(body.metadata) ? body.metadata.resourceVersion : undefined;
      const curRv = isObject(existing.metadata) ? existing.metadata.resourceVersion : undefined;
      if (typeof sentRv === "string" && sentRv !== "" && sentRv !== curRv) {
        return status(res, 409, "Conflict", `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified`);
      }
      const obj = stamp(body, resource, name, existing);
      store.set(key, obj);
      return ok(res, 200, obj);
    }
    if (method === "PATCH") {
      if (!existing) return notFound();
      const ct = (req.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
      const body = await readBody(req);
      let patched: JsonObject;
      if (ct === "application/json-patch+json") {
        try {
          patched = jsonPatch(existing, body);
        } catch (err) {
          if (err instanceof PatchError) return status(res, 422, "Invalid", err.message);
          throw err;
        }
      } else if (ct === "application/strategic-merge-patch+json" || ct === "application/merge-patch+json") {
        const merged = mergePatch(existing, body);
        if (!isObject(merged)) return status(res, 422, "Invalid", "patch did not produce an object");
        patched = merged;
      } else {
        return status(res, 415, "UnsupportedMediaType", `unsupported patch content type ${ct}`);
      }
      const obj = stamp(patched, resource, name, existing);
      store.set(key, obj);
      return ok(res, 200, obj);
    }
    if (method === "DELETE") {
      if (!existing) return notFound();
      store.delete(key);
      return ok(res, 200, { kind: "Status", apiVersion: "v1", status: "Success" });
    }
    return status(res, 405, "MethodNotAllowed", `${method} not supported`);
  };

  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const rec: KubeRequestRecord = { method: req.method ?? "", path: req.url ?? "", contentType: req.headers["content-type"] ?? "", status: 0 };
    requests.push(rec);
    res.on("finish", () => (rec.status = res.statusCode));
    handle(req, res, rec).catch((err: unknown) => status(res, 500, "InternalError", err instanceof Error ? err.message : String(err)));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: opts.port ?? 443 }, () => {
      const a = server.address();
      resolve(typeof a === "object" && a !== null ? a.port : 0);
    });
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    cleanup.release();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const cleanup = onCleanup(`fake kube API ${host}:${port}`, stop, () => server.close());

  return {
    host,
    port,
    namespace,
    token,
    caCertPem: cert.certPem,
    serviceAccountDir: saDir,
    requests,
    secretData: (name) => {
      const s = store.get(`secrets/${name}`);
      if (!s) return undefined;
      const data = isObject(s.data) ? s.data : {};
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(typeof v === "string" ? v : "", "base64")]));
    },
    putSecret: (name, data) => {
      const prev = store.get(`secrets/${name}`);
      const encoded: JsonObject = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
      store.set(`secrets/${name}`, stamp({ data: encoded }, "secrets", name, prev));
    },
    deleteSecret: (name) => void store.delete(`secrets/${name}`),
    secretNames: () => [...store.keys()].filter((k) => k.startsWith("secrets/")).map((k) => k.slice("secrets/".length)),
    stop,
  };
}
