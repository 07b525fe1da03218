// The README is a short entry page, and every relative link and anchor in the user docs resolves, as GitHub
// renders them (anchors: lowercase, punctuation dropped, spaces to dashes, a repeated heading gets -1, -2).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, repoPath } from "../tools/src/lib/paths.ts";
import { isExternal, markdownAnchors, markdownLinks, slug } from "../tools/src/lib/markdown.ts";

const docs = [
  "README.md",
  "CONTRIBUTING.md",
  "CHANGELOG.md",
  ...readdirSync(repoPath("docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** Each link of a file that does not resolve, as `file:line target (why)`. */
function brokenLinks(file: string, text: string): string[] {
  const broken: string[] = [];
  for (const l of markdownLinks(text)) {
    if (isExternal(l.target)) continue;
    const [path = "", anchor] = l.target.split("#", 2);
    const abs = path === "" ? resolve(REPO_ROOT, file) : resolve(REPO_ROOT, dirname(file), decodeURI(path));
    const where = `${file}:${l.line} ${l.target}`;
    if (!abs.startsWith(REPO_ROOT) || !existsSync(abs)) {
      broken.push(`${where} (no such file)`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!abs.endsWith(".md") || statSync(abs).isDirectory()) {
      broken.push(`${where} (an anchor into a file that is not Markdown)`);
      continue;
    }
    if (!markdownAnchors(readFileSync(abs, "utf8")).has(anchor))
      broken.push(`${where} (no heading ${relative(REPO_ROOT, abs)}#${anchor})`);
  }
  return broken;
}

describe("docs", () => {
  it("the README is an entry page under 20,000 bytes", () => {
    expect(readFileSync(repoPath("README.md")).length).toBeLessThan(20_000);
  });

  it("the README shows the two commands on its first screen (first 25 lines)", () => {
    const top = readFileSync(repoPath("README.md"), "utf8").split("\n").slice(0, 25).join("\n");
    expect(top).toMatch(/^npm start /m);
    expect(top).toMatch(/^npm test /m);
  });

  it("has the task pages the README links to", () => {
    const readme = readFileSync(repoPath("README.md"), "utf8");
    const linked = new Set(markdownLinks(readme).map((l) => l.target.split("#")[0]));
    for (const page of ["operating", "f5xc", "upgrading", "local-cluster", "values"])
      expect(linked, `README links docs/${page}.md`).toContain(`docs/${page}.md`);
  });

  it.each(docs.map((f) => [f]))("every relative link and anchor in %s resolves", (file) => {
    const text = readFileSync(repoPath(file), "utf8");
    expect(brokenLinks(file, text)).toEqual([]);
  });

  it("checks links: the pages hold relative links and anchors", () => {
    const relativeLinks = docs.flatMap((f) =>
      markdownLinks(readFileSync(repoPath(f), "utf8")).filter((l) => !isExternal(l.target)),
    );
    expect(relativeLinks.length).toBeGreaterThan(20);
    expect(relativeLinks.filter((l) => l.target.includes("#")).length).toBeGreaterThan(10);
  });

  it("finds broken links, and GitHub's anchors (the check itself can fail)", () => {
    const text = [
      "# Top",
      "## Health, metrics and shutdown",
      "## `helm test`",
      "## Top",
      "## Credentials: auth keys or OAuth clients",
      "```sh",
      "# not a heading [x](nowhere.md)",
      "```",
      "[a](#top) [b](#top-1) [c](#top-2) [d](#health-metrics-and-shutdown) [e](#helm-test) [f](missing.md)",
      "[g](README.md#no-such-heading) [h](#credentials-auth-keys-or-oauth-clients) `[i](in-code.md)`",
      "[j](https://example.invalid/x.md) [k](docs/values.md#values-reference)",
    ].join("\n");
    expect(markdownLinks(text).map((l) => l.target)).toEqual([
      "#top",
      "#top-1",
      "#top-2",
      "#health-metrics-and-shutdown",
      "#helm-test",
      "missing.md",
      "README.md#no-such-heading",
      "#credentials-auth-keys-or-oauth-clients",
      "https://example.invalid/x.md",
      "docs/values.md#values-reference",
    ]);
    // brokenLinks resolves "#..." against the file itself: give it a file whose text is `text`.
    const anchors = markdownAnchors(text);
    expect([...anchors]).toEqual([
      "top",
      "health-metrics-and-shutdown",
      "helm-test",
      "top-1",
      "credentials-auth-keys-or-oauth-clients",
    ]);
    expect(
      brokenLinks("README.md", "[f](missing.md) [g](README.md#no-such-heading) [k](docs/values.md#values-reference)"),
    ).toEqual([
      "README.md:1 missing.md (no such file)",
      "README.md:1 README.md#no-such-heading (no heading README.md#no-such-heading)",
    ]);
    expect(slug("Deploy on F5 XC (vK8s)!")).toBe("deploy-on-f5-xc-vk8s");
    expect(slug("F5 XC Managed K8s (App Stack) and ordinary clusters")).toBe(
      "f5-xc-managed-k8s-app-stack-and-ordinary-clusters",
    );
  });
});
