// Links and heading anchors of a Markdown file, as GitHub renders them. Used by the release tooling (to point
// the packaged README's relative links at the tagged repository) and by the docs link test.

export interface MdLink {
  /** The target as written: a URL, a path, a path with #anchor, or #anchor alone. */
  target: string;
  /** Offset of the target's first character in the text. */
  start: number;
  /** 1-based line of the link. */
  line: number;
}

/** The text with fenced code blocks and inline code blanked out (same length, newlines kept). */
function withoutCode(text: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  return text
    .replace(/^( {0,3})(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\2[^\n]*$|(?![\s\S]))/gm, blank)
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, blank);
}

/** Inline links and images `[text](target "title")`, and reference definitions `[ref]: target`. */
export function markdownLinks(text: string): MdLink[] {
  const prose = withoutCode(text);
  const lineAt = (offset: number) => prose.slice(0, offset).split("\n").length;
  const links: MdLink[] = [];
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const start = (m.index ?? 0) + m[0].indexOf(m[1]!);
    links.push({ target: m[1]!, start, line: lineAt(start) });
  }
  for (const m of prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) {
    const start = (m.index ?? 0) + m[0].indexOf(m[1]!);
    links.push({ target: m[1]!, start, line: lineAt(start) });
  }
  return links.sort((a, b) => a.start - b.start);
}

/** True for a target with a scheme (https:, mailto:) or protocol-relative: not a file of the repository. */
export const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

/** GitHub's anchor for a heading's text: lowercase, punctuation dropped, each space a dash. */
export function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link shows its text
    .replace(/<[^>]+>/g, "")
    .replace(/[`*]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a file defines: its headings' slugs (a repeated one gets -1, -2, ...) and `<a id|name>`. */
export function markdownAnchors(text: string): Set<string> {
  const prose = withoutCode(text);
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const lines = text.split("\n");
  prose.split("\n").forEach((line, i) => {
    if (!/^ {0,3}#{1,6}[ \t]/.test(line)) return; // not a heading, or inside a code block
    const heading = lines[i]!.replace(/^ {0,3}#{1,6}[ \t]+/, "").replace(/[ \t]+#+[ \t]*$|[ \t]+$/, "");
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  });
  for (const m of prose.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

/** Replaces each link target for which `map` returns a string; others stay as written. */
export function rewriteLinks(text: string, map: (target: string) => string | undefined): string {
  let out = "";
  let at = 0;
  for (const l of markdownLinks(text)) {
    const to = map(l.target);
    if (to === undefined) continue;
    out += text.slice(at, l.start) + to;
    at = l.start + l.target.length;
  }
  return out + text.slice(at);
}
