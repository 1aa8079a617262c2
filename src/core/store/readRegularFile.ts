/**
 * Reads a file of a run folder only when it is a regular file. Run folders live in the workspace,
 * so a run file may be a symlink a repository ships, e.g. to /dev/zero or a named pipe: reading one
 * of those never ends (or fills memory), and the editor or CLI would hang on "loading run". A
 * clear error instead says which file to remove.
 */
import { readFile, stat } from 'node:fs/promises';

export class NotRegularFileError extends Error {
  constructor(readonly path: string) {
    super(`${path} is not a regular file (a device, pipe or folder, perhaps through a symlink); TRUCE reads only regular files in a run folder. Remove or replace it.`);
    this.name = 'NotRegularFileError';
  }
}

export async function readRegularFile(path: string): Promise<Buffer>;
export async function readRegularFile(path: string, encoding: 'utf8'): Promise<string>;
export async function readRegularFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  // stat follows symlinks, so a link to a device is judged by what it points to. ENOENT passes
  // through unchanged: callers treat a missing file as "not written yet".
  const info = await stat(path);
  if (!info.isFile()) throw new NotRegularFileError(path);
  return encoding ? readFile(path, encoding) : readFile(path);
}
