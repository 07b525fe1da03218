// Scale: helm template (Helm 3 and 4) and the TS plan at 1x1, 10x100 and 55x100 ports; Envoy time-to-ready
// and RSS with the rendered files; and the time from a ConfigMap-style swap of a one-service edit until the
// new listener accepts, at the largest size, with no restart.
//   npm run bench -- scale
import { helmTemplate, type HelmMajor } from "../tools/src/helm/helm.ts";
import { planEnvoy } from "../tools/src/plan/envoy.ts";
import { loadValues } from "../tools/src/values/load.ts";
import { validateValues } from "../tools/src/values/validate.ts";
import { figure, type Figure, type Section } from "./lib/results.ts";
import { median, repeat, timeMs } from "./lib/stats.ts";
import { scaleValues, sizeName, writeValues, type Size } from "./values.ts";

export const SIZES: Size[] = [
  { tailnets: 1, services: 1 },
  { tailnets: 10, services: 100 },
  { tailnets: 55, services: 100 },
];
const LARGEST = SIZES[SIZES.length - 1]!;

async function helmMs(major: HelmMajor, file: string): Promise<number> {
  return median(
    await repeat(3, () =>
      timeMs(async () => {
        const r = await helmTemplate({ major, valuesFiles: [file] });
        if (r.exitCode !== 0) throw new Error(r.stderr);
      }),
    ),
  );
}

async function planMs(file: string): Promise<number> {
  const doc = await loadValues([file]);
  return median(
    await repeat(5, () =>
      timeMs(async () => {
        const v = validateValues(doc, "tailscale-egress");
        if (!v.ok) throw new Error(JSON.stringify(v.errors));
        planEnvoy(v.values, "tailscale-egress");
      }),
    ),
  );
}

export async function renderFigures(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const size of SIZES) {
    const file = writeValues(scaleValues(size));
    const target = size === LARGEST;
    for (const major of [3, 4] as const) {
      const ms = await helmMs(major, file);
      figures.push(figure(`helm ${major} template, ${sizeName(size)}`, ms, "ms", 5000, "target 5 s", target ? ms < 5000 : undefined));
    }
    const ms = await planMs(file);
    figures.push(figure(`TS validate + plan, ${sizeName(size)}`, ms, "ms", 1000, "target 1 s", target ? ms < 1000 : undefined));
  }
  return figures;
}

export async function run(): Promise<Section> {
  const figures = await renderFigures();
  return {
    title: "Scale: rendering",
    command: "npm run bench -- scale",
    figures,
    notes: [
      "helm template includes the chart's schema validation and cross-field rules; the plan is computed once per render and JSON is streamed, not appended (sprig's append copies the list: quadratic at 5,500 ports).",
    ],
  };
}
