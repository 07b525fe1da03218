// Files the user names on the command line: read them, or say in one line why they cannot be read.
import { readFile } from "node:fs/promises";

/** A file or argument the user gave cannot be used; the message says which and why. */
export class InputError extends Error {}

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
};

export async function readInput(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const { code, message } = e as NodeJS.ErrnoException;
    throw new InputError(`${path}: cannot read the file: ${(code && REASONS[code]) ?? message}`);
  }
}
