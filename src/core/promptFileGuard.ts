/**
 * Reads a prompt file from disk, refusing what is not one before any parser sees it. A binary file
 * (NUL bytes) or a file that is not UTF-8 would be parsed into garbage rules silently, and a huge
 * file (tens of MB) is parsed whole, for seconds and a gigabyte of memory. Prompt files are text a
 * model reads, so these are refused with what is wrong and what to do; the size limit is
 * configurable (`maxPromptBytes` in truce.yaml, `--max-bytes` for `truce units`).
 */
import type { Stats } from 'node:fs';
import { FileTooLargeError, NotRegularFileError, readRegularFileWithin } from './store/readRegularFile';

/** Far above any real prompt (a long system prompt is tens of KB), far below what hurts. */
export const DEFAULT_PROMPT_MAX_BYTES = 4 * 1024 * 1024;

export class PromptFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptFileError';
  }
}

/** The file's text; throws PromptFileError for a file over the limit, binary or not UTF-8 (I/O errors pass through). */
export async function readPromptFile(path: string, shown: string, maxBytes: number = DEFAULT_PROMPT_MAX_BYTES): Promise<string> {
  let bytes: Buffer;
  try {
    // The size and kind first: a 30 MB file is refused without being read, and a device or a pipe
    // (no size to check; reading may never end, or never start) is not a prompt file.
    bytes = await readRegularFileWithin(path, maxBytes);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw notAFile(shown, error.info);
    if (error instanceof FileTooLargeError) throw tooLarge(shown, error.size, maxBytes);
    throw error;
  }
  return promptText(bytes, shown);
}

/** Decodes prompt bytes, refusing binary and non-UTF-8 content. */
export function promptText(bytes: Uint8Array, shown: string): string {
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw new PromptFileError(`${shown} is a binary file (a NUL byte at offset ${nul}), not a prompt; point the agent's \`prompt\` in truce.yaml at a text file.`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PromptFileError(`${shown} is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)}); TRUCE reads prompt files as UTF-8 — save it in that encoding.`);
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The bytes of prompt text as a file that had `like`'s bytes should hold it: UTF-8, with the
 * byte-order mark `like` started with. promptText drops that mark (as editors do, so ranges match
 * the editor's); writing an edit back must put it back, or the edit would change a byte the user
 * never touched (files saved by Notepad start with one).
 */
export function promptBytes(text: string, like: Uint8Array): Buffer {
  const body = Buffer.from(text, 'utf8');
  const bom = like.length >= 3 && like[0] === 0xef && like[1] === 0xbb && like[2] === 0xbf;
  return bom ? Buffer.concat([UTF8_BOM, body]) : body;
}

function notAFile(shown: string, info: Stats): PromptFileError {
  const what = info.isDirectory() ? 'a folder' : info.isFIFO() ? 'a named pipe' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : info.isSocket() ? 'a socket' : 'not a regular file';
  return new PromptFileError(`${shown} is ${what}, not a prompt file; point the agent's \`prompt\` in truce.yaml at a text file.`);
}

function tooLarge(shown: string, size: number, maxBytes: number): PromptFileError {
  return new PromptFileError(
    `${shown} is ${megabytes(size)}, over the prompt file size limit of ${megabytes(maxBytes)} (maxPromptBytes); a prompt this large is probably not one. ` +
      'If it is, raise maxPromptBytes in truce.yaml (--max-bytes for `truce units`).',
  );
}

/** A size as people read it: MB for a prompt-sized limit, plain bytes below a tenth of one (not "0.0 MB"). */
function megabytes(bytes: number): string {
  return bytes < 0.1 * 1024 * 1024 ? `${bytes} bytes` : `${(bytes / (1024 * 1024)).toFixed(1)} MB (${bytes} bytes)`;
}

/** Offset of the first byte that breaks UTF-8, for the message. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    // Overlong forms, surrogates and code points past U+10FFFF.
    if ((b === 0xe0 && bytes[i + 1] < 0xa0) || (b === 0xed && bytes[i + 1] >= 0xa0) || (b === 0xf0 && bytes[i + 1] < 0x90) || (b === 0xf4 && bytes[i + 1] >= 0x90)) return i;
    i += length;
  }
  return i;
}
