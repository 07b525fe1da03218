// The tailnet-egress CLI of the npm package (tools/src/release/npm.ts bundles it): the commands that need only
// Node.js and the values files. The others need the checkout; --help names them and says where they live.
import { runCli } from "./run.ts";
import { PORTABLE } from "./table.ts";

await runCli({ commands: PORTABLE });
