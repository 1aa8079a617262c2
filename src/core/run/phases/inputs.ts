/**
 * Inputs phase: the request checked before anything else is read — a valid configuration, a trust
 * level that lets its commands run, a task file that parses — and the prompt set it names.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { truceConfigSchema, type TruceConfig } from '../../config';
import type { MasTask } from '../../mas/types';
import type { FileLock } from '../../store';
import { parseTasksJsonl } from '../../tasks';
import { defaultMasBackend } from '../masBackend';
import { RunSetupError } from '../runErrors';
import { configHash, sha256, snapshotPromptFiles } from '../runIdentity';
import type { RunMasOptions } from '../runOptions';
import { setup } from '../setupStep';
import type { RunInputs, RunPrompts } from './runState';

export async function readInputs(options: RunMasOptions, held: FileLock[]): Promise<RunInputs> {
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const workspaceRoot = options.workspaceRoot;
  const config = validConfig(options.config);
  checkTrust(config, options.trusted);
  const backendContext = { workspaceRoot, trusted: options.trusted, env };
  const backend = options.mas ?? defaultMasBackend;
  const { tasks, taskText } = await loadTasks(config, workspaceRoot);
  return { options, workspaceRoot, env, now, config, tasks, taskText, backend, backendContext, held };
}

/** The prompt set the MAS runs with, the files it came from, and the hashes that identify the run. */
export async function readPrompts(inputs: RunInputs): Promise<RunPrompts> {
  const { config, backend, backendContext, workspaceRoot } = inputs;
  const prompts = await setup(() => backend.loadPromptSet(config, backendContext));
  const promptFiles = await setup(() => snapshotPromptFiles(config, workspaceRoot));
  const identity = { configHash: configHash(config), promptHash: prompts.hash, taskFileSha256: sha256(inputs.taskText) };
  return { prompts, promptFiles, identity };
}

function validConfig(input: unknown): TruceConfig {
  const parsed = truceConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  throw new RunSetupError('The configuration is invalid; run `truce validate` for positions and hints.', lines);
}

function checkTrust(config: TruceConfig, trusted: boolean): void {
  if (trusted) return;
  if (config.mas.kind === 'command') throw new RunSetupError('This workspace is not trusted, so its MAS command (mas.argv) is not run. Trust the folder to run it.');
  if (config.evaluator.type === 'command') throw new RunSetupError('This workspace is not trusted, so its evaluator command (evaluator.argv) is not run. Trust the folder to run it.');
}

async function loadTasks(config: TruceConfig, workspaceRoot: string): Promise<{ tasks: MasTask[]; taskText: string }> {
  const file = config.tasks.file;
  let taskText: string;
  try {
    taskText = await readFile(resolve(workspaceRoot, file), 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RunSetupError(`Cannot read the tasks file ${file}: ${missing ? 'it does not exist' : (error as Error).message}. Check tasks.file in truce.yaml.`);
  }
  const { tasks, errors } = parseTasksJsonl(taskText);
  if (errors.length) {
    throw new RunSetupError(
      `The tasks file ${file} has ${errors.length} bad line${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} before running.`,
      errors.map((e) => `${file}:${e.line}: ${e.message}`),
    );
  }
  if (!tasks.length) throw new RunSetupError(`The tasks file ${file} holds no tasks.`);
  return { tasks, taskText };
}
