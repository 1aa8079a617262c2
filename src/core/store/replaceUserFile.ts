/**
 * Replaces a file the user owns (a prompt file) atomically without changing what it is: when the
 * path is a symbolic link, the file it points to is replaced and the link stays a link; the new
 * file keeps the old one's permission bits and, where the process may set it, its owner. A plain
 * atomic write would put a fresh 0644 regular file in place of both.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { writeFileAtomic } from './atomicWrite';

/** The file was changed by someone else after the caller read it; nothing was written. */
export class FileChangedError extends Error {
  constructor(readonly path: string) {
    super(`${path} changed while it was being written`);
    this.name = 'FileChangedError';
  }
}

/**
 * `expected`: the bytes the caller's new content was made from. The file is compared with them once
 * the new content is on disk, right before it replaces the file, so an edit someone saved in the
 * meantime (an editor, another tool) is refused rather than overwritten. The comparison and the
 * rename are two steps, so a save landing between them can still be lost; the window is a rename's
 * length rather than the writes and flushes before it.
 */
export async function replaceUserFile(path: string, data: string | Uint8Array, expected?: Uint8Array): Promise<void> {
  // A path that does not exist yet is written as it is.
  const target = await realpath(path).catch(() => path);
  const before = await stat(target).catch(() => undefined);
  const unchanged = expected
    ? async () => {
        const now = await readFile(target).catch(() => undefined);
        if (!now || !now.equals(expected)) throw new FileChangedError(path);
      }
    : undefined;
  await writeFileAtomic(target, data, before ? { mode: before.mode & 0o7777, uid: before.uid, gid: before.gid } : {}, unchanged);
}
