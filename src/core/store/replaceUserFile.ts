/**
 * Replaces a file the user owns (a prompt file) atomically without changing what it is: when the
 * path is a symbolic link, the file it points to is replaced and the link stays a link; the new
 * file keeps the old one's permission bits and, where the process may set it, its owner. A plain
 * atomic write would put a fresh 0644 regular file in place of both.
 */
import { realpath, stat } from 'node:fs/promises';
import { writeFileAtomic } from './atomicWrite';

export async function replaceUserFile(path: string, data: string | Uint8Array): Promise<void> {
  // A path that does not exist yet is written as it is.
  const target = await realpath(path).catch(() => path);
  const before = await stat(target).catch(() => undefined);
  await writeFileAtomic(target, data, before ? { mode: before.mode & 0o7777, uid: before.uid, gid: before.gid } : {});
}
