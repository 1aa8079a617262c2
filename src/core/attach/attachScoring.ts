/**
 * How an attach session will score what arrives, decided once at the start from truce.yaml: the
 * tasks file whose references the traces are matched against, and the configured evaluator. What
 * cannot be used (a missing tasks file, a command evaluator in an untrusted workspace, an endpoint
 * without a key) is said in a note and left out: verdicts in the panel still score the traces, so
 * none of it is a reason not to attach.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { TruceConfig } from '../config';
import type { Evaluator } from '../eval';
import type { MasTask } from '../mas/types';
import { parseTasksJsonl } from '../tasks/loadTasks';
import { attachEvaluator, type AttachEvaluatorOptions } from './attachEvaluator';

export interface AttachScoring {
  tasks: MasTask[];
  /** Workspace-relative, as the manifest records it. */
  tasksFile?: string;
  tasksText?: string;
  evaluator?: Evaluator;
  /** What is not used and why, for the terminal or the log. */
  notes: string[];
}

export interface AttachScoringOptions extends AttachEvaluatorOptions {
  /** A tasks file other than truce.yaml's (relative to the workspace). */
  tasksFile?: string;
  /** Score by verdicts only. */
  noEvaluator?: boolean;
}

export async function attachScoring(config: TruceConfig | undefined, options: AttachScoringOptions): Promise<AttachScoring> {
  const notes: string[] = [];
  const out: AttachScoring = { tasks: [], notes };
  const file = options.tasksFile ?? config?.tasks.file;
  if (file !== undefined) {
    const path = isAbsolute(file) ? file : resolve(options.workspaceRoot, file);
    try {
      const text = await readFile(path, 'utf8');
      const parsed = parseTasksJsonl(text);
      out.tasks = parsed.tasks;
      out.tasksFile = relative(options.workspaceRoot, path).replace(/\\/g, '/');
      out.tasksText = text;
      if (parsed.errors.length > 0) notes.push(`${file}: ${parsed.errors.length} line(s) skipped, the first at line ${parsed.errors[0]?.line}: ${parsed.errors[0]?.message}`);
    } catch (error) {
      notes.push(`tasks file ${file} not read (${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}); traces are not matched to tasks`);
    }
  }
  if (!config) {
    notes.push('no truce.yaml: traces are scored only by verdicts in the trajectory panel (and by scores the spans carry)');
    return out;
  }
  if (options.noEvaluator) return out;
  try {
    out.evaluator = attachEvaluator(config, options);
  } catch (error) {
    notes.push(`the ${config.evaluator.type} evaluator is not used: ${(error as Error).message}`);
  }
  return out;
}
