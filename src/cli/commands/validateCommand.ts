/**
 * `truce validate [--config truce.yaml]`: checks the configuration, its tasks file and its prompt
 * files, and prints every problem as `file:line:col: severity: message (hint)`.
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { defaultMasBackend } from '../../core/run';
import { parseTasksJsonl, splitTasks } from '../../core/tasks';
import { EXIT_FAILURE, EXIT_OK, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { ConfigReadError, DEFAULT_CONFIG, formatDiagnostic, printDiagnostics, readConfig } from '../readConfig';

const usage = `Usage: truce validate [--config FILE]

Checks truce.yaml (schema, references between sections, paths), the tasks file (one JSON task per
line, unique ids) and the prompt files (every configured agent can be found).
Problems are printed as file:line:col: error|warning: message (hint).

  -c, --config FILE   the configuration (default: ${DEFAULT_CONFIG})

Exit status: 0 when there are no errors (warnings allowed), 1 otherwise, 2 on bad arguments.`;

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check truce.yaml, its tasks file and prompt files',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCliArgs({ args, options: { config: { type: 'string', short: 'c' } }, allowPositionals: false, strict: true });
    let file;
    try {
      file = await readConfig(io, parsed.values.config);
    } catch (error) {
      if (error instanceof ConfigReadError) {
        io.stdout(`${error.message}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }
    printDiagnostics(io.stdout, file);
    const config = file.config;
    if (!config) return EXIT_FAILURE;

    let errors = 0;
    const tasksPath = resolve(file.workspaceRoot, config.tasks.file);
    const tasksShown = relative(io.cwd, tasksPath) || config.tasks.file;
    let taskCount = 0;
    let sizes = '';
    try {
      const tasks = parseTasksJsonl(await readFile(tasksPath, 'utf8'));
      for (const e of tasks.errors) io.stdout(`${formatDiagnostic(tasksShown, { severity: 'error', message: e.message, line: e.line - 1, character: 0 })}\n`);
      errors += tasks.errors.length;
      taskCount = tasks.tasks.length;
      const split = splitTasks(tasks.tasks, config.tasks.split, config.tasks.seed);
      for (const w of split.warnings) io.stdout(`${tasksShown}: warning: ${w}\n`);
      sizes = ` (train ${split.train.length}, val ${split.val.length}, test ${split.test.length})`;
    } catch (error) {
      // A missing tasks file was already reported as a warning by the config check.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        io.stdout(`${tasksShown}: error: cannot read the tasks file: ${(error as Error).message}\n`);
        errors += 1;
      }
    }
    try {
      await defaultMasBackend.loadPromptSet(config, { workspaceRoot: file.workspaceRoot, trusted: false, env: io.env });
    } catch (error) {
      io.stdout(`${file.shown}: error: ${(error as Error).message}\n`);
      errors += 1;
    }
    if (errors) return EXIT_FAILURE;
    io.stdout(`${file.shown}: OK — ${config.agents.length} agents, ${config.mas.kind} MAS, ${taskCount} tasks${sizes}, evaluator ${config.evaluator.type}.\n`);
    return EXIT_OK;
  },
};
