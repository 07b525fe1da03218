// The lab root holds service-account tokens and keys, so it stays private; a pod user's dir lives in a second
// root that user can pass through but nobody can list.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { labRoot, tempDir, userTempDir } from "../../tools/src/local/lab/tempdirs.ts";

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe("temp dirs", () => {
  it("keeps the lab root private while a pod user's dir is reachable by that user only", () => {
    const plain = tempDir("plain");
    const user = userTempDir("envoy", { uid: 65532, gid: 65532 });
    expect(path.dirname(plain)).toBe(labRoot());
    expect(mode(labRoot())).toBe(0o700);
    expect(path.dirname(user)).not.toBe(labRoot());
    expect(mode(path.dirname(user))).toBe(0o711);
    expect(mode(user)).toBe(0o700);
    expect(fs.statSync(user).uid).toBe(65532);
  });
});
