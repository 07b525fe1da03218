// The CLI's command table, the one list both entry points read: main.ts (a checkout of the repository) runs
// every command, npm-main.ts (the npm package `tailnet-egress`) the portable ones. The checkout's own loaders
// live in main.ts, so that the npm package's bundle does not pull in Helm, the local lab or the test cases.

export interface Command {
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** What each command does, in the order --help lists them. */
export const SUMMARIES = {
  validate: "check values files against the schema and the chart's rules",
  plan: "print the port map and the Envoy files for values files",
  f5xc: "print F5 XC origin pools and a health check for the release's Service",
  golden: "render the golden cases with Helm 3 and 4 and compare (--update to rewrite)",
  start: "run the pod locally (npm start)",
  package: "package the chart and the npm package reproducibly into dist/ (npm run package)",
  cluster: "a real single-node Kubernetes on this machine, in a network namespace (up, exec, down)",
} as const;

export type CommandName = keyof typeof SUMMARIES;
export type Loaders<N extends CommandName = CommandName> = Record<N, () => Promise<Command>>;

/** Commands that need only Node.js and the values files: the npm package carries these. */
export const PORTABLE = {
  validate: () => import("./commands/validate.ts"),
  plan: () => import("./commands/plan.ts"),
  f5xc: () => import("./commands/f5xc.ts"),
} satisfies Loaders<"validate" | "plan" | "f5xc">;

/** The commands that need the checkout (Helm and the pinned toolchain, the templates, the test cases). */
export type CheckoutOnly = Exclude<CommandName, keyof typeof PORTABLE>;
