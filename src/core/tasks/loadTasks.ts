/**
 * Reads a task file: JSONL, one `{id, input, reference?, milestones?, ...}` per line. Every line is
 * checked on its own so one bad line costs one error with its line number, never the whole file;
 * a repeated id is an error too, because results, resume and splits are all keyed by task id.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { MilestoneSchema } from '../eval/milestones';
import type { MasTask } from '../mas/types';

export interface TaskFileError {
  /** 1-based, as editors and `file:line` messages count. */
  line: number;
  message: string;
}

export interface TaskFile {
  tasks: MasTask[];
  errors: TaskFileError[];
}

/**
 * Ids and references may be written as numbers (`"id": 7`, `"reference": 42`); they are kept as
 * text because task ids are map keys and evaluators compare text.
 */
const textual = z.union([z.string(), z.number().finite()]).transform(String);

const taskLineSchema = z.looseObject({
  id: textual.pipe(z.string().trim().min(1, 'must not be empty')),
  input: z.string(),
  reference: textual.optional(),
  milestones: z.array(MilestoneSchema).optional(),
});

export function parseTasksJsonl(text: string): TaskFile {
  const tasks: MasTask[] = [];
  const errors: TaskFileError[] = [];
  const firstLineOf = new Map<string, number>();
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    let content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === 1 && content.charCodeAt(0) === 0xfeff) content = content.slice(1);
    if (!content.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      errors.push({ line, message: `invalid JSON: ${(error as Error).message}` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push({ line, message: 'a task must be a JSON object such as {"id": "q1", "input": "…"}' });
      return;
    }
    const parsed = taskLineSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String).join('.');
        const missing = issue.code === 'invalid_type' && path !== '' && valueAt(value, issue.path) === undefined;
        errors.push({ line, message: missing ? `missing "${path}"` : `${path || 'task'}: ${issue.message}` });
      }
      return;
    }
    const task = parsed.data as MasTask;
    const earlier = firstLineOf.get(task.id);
    if (earlier !== undefined) {
      errors.push({ line, message: `duplicate task id "${task.id}" (first used on line ${earlier})` });
      return;
    }
    firstLineOf.set(task.id, line);
    tasks.push(task);
  });
  return { tasks, errors };
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export async function loadTasksFile(path: string): Promise<TaskFile> {
  return parseTasksJsonl(await readFile(path, 'utf8'));
}
