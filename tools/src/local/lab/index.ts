// Public surface of the tailnet lab (see README.md next to this file).
export { freeTcpPort, freeTcpPorts, freeUdpPort, isListening, LOOPBACK } from "./ports.ts";
export { onCleanup, cleanupAll, pendingCleanups, type CleanupHandle, type CleanupFailure } from "./cleanup.ts";
export { labRoot, tempDir } from "./tempdirs.ts";
export { startProcess, runCommand, waitFor, type Proc, type StartOptions, type ExitInfo } from "./procs.ts";
export { binPath, requireBinaries, TOOLS_BIN, type LabBinary } from "./bins.ts";
export {
  startHeadscale,
  type Headscale,
  type HeadscaleOptions,
  type AuthKeyOptions,
  type HeadscaleNode,
} from "./headscale.ts";
export { startTarget, type Target, type TargetOptions } from "./target.ts";
export { startEchoServer, startSourceServer, taggedReply, type EchoServer } from "./echo.ts";
export {
  startContainerboot,
  SERVICE_ACCOUNT_PATH,
  type Containerboot,
  type ContainerbootOptions,
} from "./containerboot.ts";
export { connectThroughProxy, openTunnel, type ConnectResult, type ConnectOptions, type Tunnel } from "./connect.ts";
export { tailscaleStatus, runningStatus, type TailscaleStatus, type NodeView } from "./tsstatus.ts";
export { LAB_TAILSCALE_ENV } from "./tsenv.ts";
export { sandboxCommand, type SandboxSpec } from "./sandbox.ts";
export { cpuSeconds, descendantNamed, descendantsNamed } from "./proctree.ts";
