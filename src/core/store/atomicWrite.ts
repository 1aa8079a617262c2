/**
 * Whole-file writes that a crash can never leave half done: the data goes to a temporary file in
 * the same folder, is flushed to disk, and is renamed over the target (rename is atomic within a
 * file system). The folder is flushed too, so the rename itself survives a power cut.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What the new file should carry over from the one it replaces (see replaceUserFile.ts). */
export interface KeptAttributes {
  /** Permission bits, set exactly (the umask does not apply). */
  mode?: number;
  /** Owner; set only where the process is allowed to (best effort). */
  uid?: number;
  gid?: number;
}

/**
 * Called with the new file written and flushed, just before it is renamed over the target: the last
 * moment to refuse (by throwing), when the target must not have changed since the caller read it.
 */
export type BeforeReplace = () => Promise<void>;

export async function writeFileAtomic(path: string, data: string | Uint8Array, keep: KeptAttributes = {}, beforeReplace?: BeforeReplace): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    // Owner first: changing the owner may clear set-id bits that the mode then puts back.
    if (keep.uid !== undefined && keep.gid !== undefined) await handle.chown(keep.uid, keep.gid).catch(() => undefined);
    if (keep.mode !== undefined) await handle.chmod(keep.mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await beforeReplace?.();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Best effort: some file systems (and Windows) refuse to open a folder for syncing. */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Durability of the rename is then up to the file system; correctness does not depend on it.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
