// The corpus of bad values (test/invalid/*.yaml) is refused by Helm 3, Helm 4 and the TS validate CLI: each
// exits non-zero, prints nothing on stdout (no half-rendered manifests) and says what the file declares
// (the field, and what is allowed). Then parity: the schema and the template `fail` rules reach the same
// verdict as the TS validator, at the same stage, naming the same fields, with identical rule messages;
// and all three accept every golden case and example.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  GOLDEN_KUBE_VERSION,
  GOLDEN_RELEASE,
  HELM_MAJORS,
  helmTemplate,
  type HelmResult,
} from "../tools/src/helm/helm.ts";
import { repoPath } from "../tools/src/lib/paths.ts";
import { loadValues } from "../tools/src/values/load.ts";
import { formatErrors, validateValues } from "../tools/src/values/validate.ts";
import { goldenCases } from "../tools/src/golden/cases.ts";
import {
  helmFailMessage,
  invalidCases,
  schemaErrorPointers,
  tsValidate,
  VALIDATORS,
  type Validator,
} from "./lib/invalid-corpus.ts";

const cases = invalidCases();

// Every file is run once per validator, all started up front a few at a time (the runs are CPU-bound: the
// TS CLI spends most of its second starting tsx); the tests below only await their results.
const PARALLEL = 4;
const queue: (() => Promise<void>)[] = [];
let active = 0;
function limited<T>(job: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queue.push(() => job().then(resolve, reject));
    pump();
  });
}
function pump(): void {
  while (active < PARALLEL && queue.length) {
    const next = queue.shift()!;
    active++;
    void next().finally(() => (active--, pump()));
  }
}
const run = (v: Validator, file: string): Promise<HelmResult> =>
  limited(() => (v === "ts" ? tsValidate(file) : helmTemplate({ major: v === "helm3" ? 3 : 4, valuesFiles: [file] })));
const results = new Map(cases.map((c) => [c.file, Object.fromEntries(VALIDATORS.map((v) => [v, run(v, c.file)]))]));
const runOnce = (v: Validator, file: string): Promise<HelmResult> => results.get(file)![v]!;

describe("the corpus", () => {
  it("has at least 30 files, each wrong in a distinct way", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.why)).size).toBe(cases.length);
    const bodies = cases.map((c) =>
      readFileSync(c.file, "utf8")
        .split("\n")
        .filter((l) => !l.startsWith("#"))
        .join("\n"),
    );
    expect(new Set(bodies).size).toBe(cases.length);
  });
});

describe.concurrent("every bad file is refused", () => {
  it.each(cases.flatMap((c) => VALIDATORS.map((v) => [c.name, v, c] as const)))(
    "%s: %s refuses it, prints nothing on stdout, says what is wrong",
    async (_n, v, c) => {
      const r = await runOnce(v, c.file);
      expect(r.exitCode, r.stderr).not.toBe(0);
      expect(r.stdout).toBe("");
      for (const fragment of c.expect[v]) expect(r.stderr).toContain(fragment);
    },
  );
});

describe.concurrent("parity on bad files", () => {
  it.each(cases.map((c) => [c.name, c] as const))(
    "%s: chart (schema + fail rules) and TS reach the same verdict at the same stage",
    async (_n, c) => {
      const ts = validateValues(await loadValues([c.file]), GOLDEN_RELEASE);
      if (ts.ok) throw new Error(`the TS validator accepts ${c.file}`);
      for (const v of ["helm3", "helm4"] as const) {
        const r = await runOnce(v, c.file);
        const failed = helmFailMessage(r.stderr);
        if (ts.stage === "rules") {
          // The chart stops at the first broken rule; it must be the TS validator's first, word for word.
          expect(failed, `${v}: ${r.stderr}`).toBe(formatErrors(ts.errors.slice(0, 1)).slice(2));
        } else {
          expect(failed, `${v} should refuse at the schema: ${r.stderr}`).toBeUndefined();
          expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
          expect(schemaErrorPointers(v, r.stderr), v).toEqual(schemaErrorPointers("ts", formatErrors(ts.errors)));
        }
      }
    },
  );
});

describe.concurrent("parity on good files", () => {
  it.each(goldenCases().map((c) => [c.name, c] as const))(
    "%s: Helm 3, Helm 4 and the TS CLI all accept it",
    async (_n, c) => {
      for (const major of HELM_MAJORS) {
        const r = await helmTemplate({ major, valuesFiles: [c.file] });
        expect(r.exitCode, r.stderr).toBe(0);
      }
      const ts = await tsValidate(c.file);
      expect(ts.exitCode, ts.stderr).toBe(0);
      expect(ts.stdout).toMatch(/^ok: /);
    },
  );
});

describe("kubeVersion", () => {
  it("Chart.yaml declares the oldest Kubernetes the tests render for", () => {
    const chart = parse(readFileSync(repoPath("Chart.yaml"), "utf8")) as { kubeVersion?: string };
    expect(chart.kubeVersion).toBe(">=1.23.0-0");
    expect(GOLDEN_KUBE_VERSION).toBe("1.23.0");
  });

  it.each(HELM_MAJORS.map((m) => [m]))("helm %i refuses Kubernetes 1.22 with a clear message", async (major) => {
    const r = await helmTemplate({
      major,
      valuesFiles: [repoPath("test/helm/01-one-tailnet.in.yaml")],
      kubeVersion: "1.22.0",
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("chart requires kubeVersion: >=1.23.0-0 which is incompatible with Kubernetes v1.22.0");
  });
});
