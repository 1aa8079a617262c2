/**
 * Native trajectories: JSONL, one trajectory per line (what `truce import` writes and the
 * command MAS adapter emits). A JSON array of trajectories, or one pretty-printed trajectory, is
 * accepted too, because that is what people paste by hand.
 */
import { open, readFile } from 'node:fs/promises';
import type { ImportResult } from './importResult';
import { parseJsonDocument } from './jsonErrors';
import { parseTrajectoriesJsonl, readTrajectoriesJsonl, type ReadOptions } from './jsonl';
import { validateTrajectory } from './validate';

function fromDocument(value: unknown): ImportResult {
  const result: ImportResult = { trajectories: [], errors: [] };
  const items = Array.isArray(value) ? value : [value];
  items.forEach((item, i) => {
    const check = validateTrajectory(item);
    if (check.ok) result.trajectories.push(check.trajectory);
    else {
      const prefix = Array.isArray(value) ? `[${i}]` : '';
      for (const p of check.problems) result.errors.push({ message: p.message, path: prefix && p.path ? `${prefix}.${p.path}` : prefix || p.path });
    }
  });
  return result;
}

/** A document rather than JSONL: an array, or an object whose opening line is not a record. */
export function looksLikeDocument(text: string): boolean {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('[')) return true;
  const firstLine = body.slice(0, body.indexOf('\n') === -1 ? body.length : body.indexOf('\n')).trim();
  return firstLine === '{';
}

export function importNativeText(text: string): ImportResult {
  if (looksLikeDocument(text)) {
    const parsed = parseJsonDocument(text);
    return 'issue' in parsed ? { trajectories: [], errors: [parsed.issue] } : fromDocument(parsed.value);
  }
  const result = parseTrajectoriesJsonl(text);
  if (result.trajectories.length === 0 && result.errors.length === 0) result.errors.push({ message: 'the file holds no trajectories' });
  return result;
}

/** Streams JSONL files (any size); documents are read whole. */
export async function importNativeFile(path: string, options: ReadOptions = {}): Promise<ImportResult> {
  const handle = await open(path, 'r');
  let head: string;
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  if (looksLikeDocument(head)) return importNativeText(await readFile(path, 'utf8'));
  const result = await readTrajectoriesJsonl(path, options);
  if (result.trajectories.length === 0 && result.errors.length === 0) result.errors.push({ message: 'the file holds no trajectories' });
  return result;
}
