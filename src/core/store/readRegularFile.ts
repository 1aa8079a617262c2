/**
 * Reads a file only when it is a regular file, and at most so many bytes. Run folders and prompt
 * files live in the workspace, so a path may be (or link to) /dev/zero or a named pipe: reading one
 * of those never ends (or fills memory), or never starts, and the editor or CLI would hang. The file
 * is opened without waiting (a pipe nobody writes to opens at once) and judged on the opened handle,
 * so what is read is what was checked. Callers word the refusal for their own files.
 */
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

export class NotRegularFileError extends Error {
  constructor(
    readonly path: string,
    /** What the path turned out to be, for callers that name it. */
    readonly info: Stats,
  ) {
    super(`${path} is not a regular file (a device, pipe or folder, perhaps through a symlink); TRUCE reads only regular files in a run folder. Remove or replace it.`);
    this.name = 'NotRegularFileError';
  }
}

export class FileTooLargeError extends Error {
  constructor(
    readonly path: string,
    /** Its size when refused: as stated before reading, or as read when it grew in between. */
    readonly size: number,
    readonly limit: number,
  ) {
    super(`${path} is larger than ${limit} bytes`);
    this.name = 'FileTooLargeError';
  }
}

/** The bytes of the regular file at `path`; ENOENT and other I/O errors pass through unchanged. */
export async function readRegularFileWithin(path: string, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    // fstat of the opened file: a symlink is judged by what it leads to.
    const info = await handle.stat();
    if (!info.isFile()) throw new NotRegularFileError(path, info);
    if (info.size > maxBytes) throw new FileTooLargeError(path, info.size, maxBytes);
    const bytes = await handle.readFile();
    // Checked again on what was read: the file may have grown in between.
    if (bytes.length > maxBytes) throw new FileTooLargeError(path, bytes.length, maxBytes);
    return bytes;
  } finally {
    await handle.close();
  }
}

export async function readRegularFile(path: string): Promise<Buffer>;
export async function readRegularFile(path: string, encoding: 'utf8'): Promise<string>;
export async function readRegularFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  const bytes = await readRegularFileWithin(path);
  return encoding ? bytes.toString(encoding) : bytes;
}
