// apply.sh, written by `tailnet-egress f5xc --out`: every golden script passes shellcheck, and a written
// script run for real against a small F5 XC API stand-in on 127.0.0.1 (node http, loopback only) creates
// new objects with POST, replaces existing ones with PUT after a 409, sends the token and JSON bodies as
// the API expects, stops at the first failure, and never deletes.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as f5xcCommand } from "../tools/src/cli/commands/f5xc.ts";
import { APPLY_SCRIPT } from "../tools/src/f5xc/out-dir.ts";
import { GOLDEN_NAMESPACE } from "../tools/src/helm/helm.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { systemTool } from "../tools/src/lib/toolpaths.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import { cmdline, pids } from "../tools/src/local/proc.ts";
import { tempDir } from "../tools/src/local/lab/tempdirs.ts";

const TOKEN = "test-token.AbC+/=";

describe("shellcheck", () => {
  const scripts = goldenCases().map((c) => c.applyOut);
  it("covers every golden case", () => {
    expect(scripts.filter((s) => !existsSync(s))).toEqual([]);
  });
  it.each(scripts.map((s) => [relative(repoPath(), s), s]))(
    "%s passes shellcheck (POSIX sh)",
    async (_name, script) => {
      const r = await execa(systemTool("shellcheck"), ["--shell=sh", "--severity=style", script], { reject: false });
      expect(r.exitCode, `${r.stdout}${r.stderr}`).toBe(0);
    },
  );
});

interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** A stand-in for the F5 XC config API: 409 on POST of an existing name, 200 on PUT, a chosen failure. */
class FakeXcApi {
  readonly requests: Recorded[] = [];
  readonly existing = new Set<string>();
  /** The command lines of the curl processes running while requests arrive (Linux /proc). */
  readonly curlCommandLines: string[] = [];
  failPost: string | undefined;
  private server: Server = createServer(
    (req, res) =>
      void this.handle(req).then(([code, body]) =>
        res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body)),
      ),
  );

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    let text = "";
    for await (const chunk of req) text += String(chunk);
    const body = text ? (JSON.parse(text) as { metadata: { name: string } }) : undefined;
    const path = req.url ?? "";
    this.curlCommandLines.push(...curlCommandLines());
    this.requests.push({
      method: req.method ?? "",
      path,
      authorization: req.headers.authorization,
      contentType: req.headers["content-type"],
      body,
    });
    if (req.method === "POST") {
      const key = `${path}/${body?.metadata.name ?? ""}`;
      if (key === this.failPost) return [403, { code: 7, message: "permission denied" }];
      if (this.existing.has(key)) return [409, { code: 6, message: "already exists" }];
      this.existing.add(key);
      return [200, body];
    }
    if (req.method === "PUT") return [200, body];
    return [405, { message: "not expected" }];
  }
}

function curlCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of pids()) {
    const argv = cmdline(pid); // undefined: the process ended meanwhile
    if (argv?.[0]?.endsWith("curl")) lines.push(argv.join(" "));
  }
  return lines;
}

describe("apply.sh against a loopback F5 XC API", () => {
  const api = new FakeXcApi();
  let url = "";
  let out = "";
  const file = goldenCases()[1]!.file; // three tailnets: a health check and a pool per service
  beforeAll(async () => {
    url = await api.start();
    out = tempDir("tse-f5xc-apply");
    expect(
      await f5xcCommand([
        "-f",
        file,
        "--namespace",
        GOLDEN_NAMESPACE,
        "--virtual-site",
        "shared/ves-io-all-res",
        "--out",
        out,
      ]),
    ).toBe(0);
  });
  afterAll(async () => {
    await api.stop();
    rmSync(out, { recursive: true, force: true });
  });

  const listed = () =>
    readFileSync(join(out, APPLY_SCRIPT), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("apply "))
      .map((l) => {
        const [, collection, ns, name, path] = l.split(" ");
        return { collection: collection!, ns: ns!, name: name!, path: path! };
      });
  const run = (env: Record<string, string>, args: string[] = []) =>
    execa("sh", [join(out, APPLY_SCRIPT), ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      extendEnv: false,
      reject: false,
    });

  it("creates new objects, and replaces existing ones with PUT after a 409, health checks first", async () => {
    const objects = listed();
    const kinds = objects.map((o) => o.collection);
    expect(kinds.lastIndexOf("healthchecks")).toBeLessThan(kinds.indexOf("origin_pools"));
    // One health check per pool (the case has 3 tailnets and more services than tailnets).
    expect(kinds.filter((k) => k === "healthchecks")).toHaveLength(kinds.filter((k) => k === "origin_pools").length);
    expect(kinds.filter((k) => k === "healthchecks").length).toBeGreaterThan(3);
    const existing = [
      objects.find((o) => o.collection === "healthchecks")!,
      objects.find((o) => o.collection === "origin_pools")!,
    ];
    for (const o of existing) api.existing.add(`/api/config/namespaces/${o.ns}/${o.collection}/${o.name}`);
    api.requests.length = 0;

    const r = await run({ F5XC_API_URL: `${url}/`, F5XC_API_TOKEN: TOKEN });
    expect(r.exitCode, r.stderr).toBe(0);

    const expected = objects.flatMap((o) => {
      const body: unknown = JSON.parse(readFileSync(join(out, o.path), "utf8"));
      const collection = `/api/config/namespaces/${o.ns}/${o.collection}`;
      const req = (method: string, path: string): Recorded => ({
        method,
        path,
        authorization: `APIToken ${TOKEN}`,
        contentType: "application/json",
        body,
      });
      return existing.includes(o)
        ? [req("POST", collection), req("PUT", `${collection}/${o.name}`)]
        : [req("POST", collection)];
    });
    expect(api.requests).toEqual(expected);
    expect(api.requests.filter((q) => q.method === "PUT")).toHaveLength(2);
    expect(r.stdout.split("\n")).toEqual(
      objects.map((o) => `${existing.includes(o) ? "replaced" : "created "} ${o.collection}/${o.name}`),
    );
  });

  it("keeps the token off curl's command line (it goes in on stdin)", () => {
    expect(api.curlCommandLines.length).toBeGreaterThan(0);
    expect(api.curlCommandLines.some((l) => l.includes(`${url}/api/config/namespaces/`))).toBe(true);
    expect(api.curlCommandLines.filter((l) => l.includes(TOKEN))).toEqual([]);
  });

  it("run again, replaces every object and deletes nothing", async () => {
    api.requests.length = 0;
    const r = await run({ F5XC_API_URL: url, F5XC_API_TOKEN: TOKEN });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(api.requests.map((q) => q.method)).toEqual(listed().flatMap(() => ["POST", "PUT"]));
  });

  it("stops at the first failure and prints the API's answer", async () => {
    const second = listed()[1]!;
    api.failPost = `/api/config/namespaces/${second.ns}/${second.collection}/${second.name}`;
    api.existing.clear();
    api.requests.length = 0;
    try {
      const r = await run({ F5XC_API_URL: url, F5XC_API_TOKEN: TOKEN });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(
        `POST ${url}/api/config/namespaces/${second.ns}/${second.collection} answered HTTP 403`,
      );
      expect(r.stderr).toContain("permission denied");
      expect(api.requests).toHaveLength(2);
    } finally {
      api.failPost = undefined;
    }
  });

  it.each([
    ["no URL", { F5XC_API_TOKEN: TOKEN }, [], "set F5XC_API_URL"],
    ["no token", { F5XC_API_URL: "http://127.0.0.1:9" }, [], "set F5XC_API_TOKEN"],
    [
      "a plain-HTTP remote URL",
      { F5XC_API_URL: "http://tenant.example", F5XC_API_TOKEN: TOKEN },
      [],
      "must start with https://",
    ],
    [
      "a token with a quote",
      { F5XC_API_URL: "http://127.0.0.1:9", F5XC_API_TOKEN: 'a"b' },
      [],
      "must not contain quotes",
    ],
    [
      "an argument (there is no delete)",
      { F5XC_API_URL: "http://127.0.0.1:9", F5XC_API_TOKEN: TOKEN },
      ["delete"],
      "usage:",
    ],
  ])("refuses %s before any request", async (_what, env, args, message) => {
    api.requests.length = 0;
    const r = await run(env as Record<string, string>, args);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain(message);
    expect(api.requests).toHaveLength(0);
  });
});
