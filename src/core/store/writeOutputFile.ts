/**
 * Writes a command's output to the path its user named (`--out FILE`). That path is the user's, and
 * it is not always a plain file: `/dev/stdout`, `/dev/null`, a named pipe another program reads, a
 * symbolic link into a shared folder, a report kept private with mode 0600. An atomic write renames a
 * fresh file over the path, which would put a regular 0644 file in place of every one of those (as
 * root, in place of a device node). So:
 *  - a device, pipe or socket is written into, as `> FILE` in a shell would;
 *  - a symbolic link is followed, and the file it points to replaced (the link stays a link);
 *  - a regular file is replaced atomically, keeping its permission bits and owner;
 *  - a folder, and anything inside TRUCE's own `.truce` folder (the record of runs and edits, which
 *    an output written over would corrupt), is refused with a message that says so.
 */
import { lstat, readlink, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { TRUCE_DIR } from './paths';
import { replaceUserFile } from './replaceUserFile';

export class OutputPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputPathError';
  }
}

export async function writeOutputFile(path: string, data: string): Promise<void> {
  const absolute = resolve(path);
  const target = await whereItLands(absolute);
  refuseTruceFolder(path, target);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new OutputPathError(`${path} is a folder; --out takes a file name, such as ${joinName(path, 'report.md')}`);
  if (existing && !existing.isFile()) {
    await writeFile(target, data);
    return;
  }
  await replaceUserFile(target, data);
}

/**
 * The real path a write to `absolute` reaches: every symbolic link followed, in the folders above it
 * as in the name itself, and for a link whose target does not exist yet, where that target would be.
 */
async function whereItLands(absolute: string): Promise<string> {
  const real = await realpath(absolute).catch(() => undefined);
  if (real) return real;
  const link = await lstat(absolute).catch(() => undefined);
  const next = link?.isSymbolicLink() ? resolve(dirname(absolute), await readlink(absolute)) : absolute;
  const folder = await realpath(dirname(next)).catch(() => dirname(next));
  return join(folder, basename(next));
}

function refuseTruceFolder(given: string, real: string): void {
  // Compared without case: on macOS and Windows `.TRUCE` is the same folder.
  if (real.split(sep).some((part) => part.toLowerCase() === TRUCE_DIR)) {
    throw new OutputPathError(`${given} is inside TRUCE's ${TRUCE_DIR} folder, which holds the record of your runs and edits; write the output somewhere else`);
  }
}

function joinName(folder: string, name: string): string {
  return folder.endsWith('/') || folder.endsWith(sep) ? `${folder}${name}` : `${folder}/${name}`;
}
