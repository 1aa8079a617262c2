/**
 * `truce validate [--config truce.yaml]`: checks the configuration, its tasks file, its prompt files
 * and its demo world file, and prints every problem as `file:line:col: severity: message (hint)`.
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { DemoWorldError, parseDemoWorldFile, readDemoWorldText } from '../../core/demo';
import { defaultMasBackend } from '../../core/run';
import { parseTasksJsonl, splitTasks } from '../../core/tasks';
import { EXIT_FAILURE, EXIT_OK, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { ConfigReadError, DEFAULT_CONFIG, formatDiagnostic, printDiagnostics, readConfig } from '../readConfig';

const usage = `Usage: truce validate [--config FILE]

Checks truce.yaml (schema, references between sections, paths), the tasks file (one JSON task per
line, unique ids), the prompt files (every configured agent can be found) and the demo world file.
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

    // Behind the gateway (its default), the MAS needs no key of its own: it gets a token for TRUCE's endpoint.
    if (config.mas.kind === 'command' && config.mas.gateway === false && Object.keys(config.mas.env).length === 0 && !config.mas.passEnv?.length) {
      // Since the MAS no longer inherits the shell, a MAS that calls its model itself fails without its key.
      const line = Math.max(0, file.text.split('\n').findIndex((l) => /^\s*mas\s*:/.test(l)));
      const message =
        'the command MAS gets a minimal environment (PATH, HOME, locale, temp folders), without your API keys; ' +
        'if it calls a model itself, name its key in mas.passEnv (e.g. passEnv: [OPENAI_API_KEY]), or set what it needs in mas.env';
      io.stdout(`${formatDiagnostic(file.shown, { severity: 'warning', message, line, character: 0 })}\n`);
    }

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
      if (taskCount === 0 && tasks.errors.length === 0) {
        io.stdout(`${tasksShown}: error: the tasks file holds no tasks; add one JSON task per line, e.g. {"id": "q1", "input": "…", "reference": "…"}\n`);
        errors += 1;
      }
      const split = splitTasks(tasks.tasks, config.tasks.split, config.tasks.seed);
      for (const w of split.warnings) io.stdout(`${tasksShown}: warning: ${w}\n`);
      sizes = ` (train ${split.train.length}, val ${split.val.length}, test ${split.test.length})`;
    } catch (error) {
      // The config check only warns (an editor shows the file being written); nothing can run without it.
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      io.stdout(`${tasksShown}: error: ${missing ? 'the tasks file does not exist; create it (one JSON task per line) or fix tasks.file in truce.yaml' : `cannot read the tasks file: ${(error as Error).message}`}\n`);
      errors += 1;
    }
    try {
      await defaultMasBackend.loadPromptSet(config, { workspaceRoot: file.workspaceRoot, trusted: false, env: io.env });
    } catch (error) {
      io.stdout(`${file.shown}: error: ${(error as Error).message}\n`);
      errors += 1;
    }
    if (config.demo) {
      // Like the tasks file: the config check only warns about a missing file; the demo cannot start without it.
      try {
        parseDemoWorldFile(await readDemoWorldText(file.workspaceRoot, config.demo.world), config.demo.world);
      } catch (error) {
        if (!(error instanceof DemoWorldError)) throw error;
        io.stdout(`${file.shown}: error: ${error.message}\n`);
        errors += 1;
      }
    }
    if (errors) return EXIT_FAILURE;
    io.stdout(`${file.shown}: OK — ${config.agents.length} agents, ${config.mas.kind} MAS, ${taskCount} tasks${sizes}, evaluator ${config.evaluator.type}.\n`);
    return EXIT_OK;
  },
};
