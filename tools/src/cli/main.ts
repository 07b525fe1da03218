// The tailnet-egress CLI in a checkout of the repository (bin/tailnet-egress.js): every command.
import { runCli } from "./run.ts";
import { type CheckoutOnly, type Loaders, PORTABLE } from "./table.ts";

const CHECKOUT_ONLY: Loaders<CheckoutOnly> = {
  golden: () => import("./commands/golden.ts"),
  start: () => import("./commands/start.ts"),
  package: () => import("./commands/package.ts"),
  cluster: () => import("./commands/cluster.ts"),
};

await runCli({ commands: { ...PORTABLE, ...CHECKOUT_ONLY } });
