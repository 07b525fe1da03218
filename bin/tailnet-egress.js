#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx tailnet-egress` works straight after `npm ci`.
import { register } from "tsx/esm/api";
register();
await import("../tools/src/cli/main.ts");
