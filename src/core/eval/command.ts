/**
 * The user's own scorer as a program. Protocol:
 *
 * - `argv` is run directly (no shell, so no quoting surprises and no injection through outputs);
 * - stdin receives one JSON object `{ "output", "reference", "task" }` (`reference` and `task`
 *   are `null` when unknown);
 * - stdout must hold one JSON object `{ "score": 0..1, "success"?: boolean, "details"?: string | object }`,
 *   either as the whole of stdout or as its last non-empty line (so scripts may log before it);
 * - without `success`, the task passes only with score 1: partial credit is the script's to
 *   declare as a pass.
 *
 * The program starts with the same minimal environment as a command MAS (PATH, home, locale, …)
 * plus `passEnv` and `env`: inheriting TRUCE's whole environment would hand it every key of the
 * user's shell.
 *
 * Running a workspace program is code execution, so the evaluator can only be built when the
 * caller states that the workspace is trusted (VS Code Workspace Trust; `--trust` in the CLI).
 */
import * as z from 'zod';
import { masEnvironment } from '../childEnvironment';
import { EvaluatorConfigError } from './errors';
import { referenceOf } from './reference';
import { failed, preview, scored } from './result';
import { runProcess, type ProcessOutcome } from './runProcess';
import type { EvalInput, EvalResult, Evaluator } from './types';

export interface CommandOptions {
  argv: readonly string[];
  /** Default 60 s. */
  timeoutMs?: number;
  /** Working directory; relative to `CommandDeps.cwd` is the caller's business. */
  cwd?: string;
  /** Variables set for the program, on top of the minimal environment (see masEnvironment). */
  env?: Record<string, string>;
  /** Names of variables of TRUCE's own environment the program may see (e.g. a scoring API key). */
  passEnv?: readonly string[];
}

export interface CommandDeps {
  workspaceTrusted: boolean;
  /** Default working directory (the workspace folder). */
  cwd?: string;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
const STDERR_TAIL = 2000;

const VerdictSchema = z.object({
  score: z.number().min(0).max(1),
  success: z.boolean().optional(),
  details: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

export class CommandEvaluator implements Evaluator {
  readonly type = 'command' as const;
  private readonly timeoutMs: number;

  constructor(
    private readonly options: CommandOptions,
    private readonly deps: CommandDeps,
  ) {
    if (!deps.workspaceTrusted) {
      throw new EvaluatorConfigError(
        'command: this evaluator runs a program from the workspace, which is only allowed in a trusted workspace. Trust the folder (or pass --trust to the CLI), or pick another evaluator.',
      );
    }
    if (!Array.isArray(options.argv) || options.argv.length === 0 || options.argv.some((a) => typeof a !== 'string') || !options.argv[0]) {
      throw new EvaluatorConfigError('command: `argv` must be a non-empty list of strings, the program first (e.g. ["node", "score.js"]).', ['argv']);
    }
    const timeout = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    if (!Number.isFinite(timeout) || timeout <= 0) throw new EvaluatorConfigError(`command: \`timeoutMs\` must be a positive number; got ${timeout}.`, ['timeoutMs']);
    this.timeoutMs = timeout;
  }

  async evaluate(input: EvalInput): Promise<EvalResult> {
    const stdin = JSON.stringify({ output: input.output, reference: referenceOf(input) ?? null, task: input.task ?? null });
    const outcome = await runProcess({
      argv: this.options.argv,
      stdin,
      cwd: this.options.cwd ?? this.deps.cwd,
      // Like a command MAS, the scorer is a workspace program: it gets the minimal environment plus
      // what truce.yaml passes or sets, never every key of the user's shell.
      env: masEnvironment(process.env, this.options.passEnv, this.options.env),
      timeoutMs: this.timeoutMs,
      signal: input.signal,
    });
    return this.verdict(outcome);
  }

  private verdict(outcome: ProcessOutcome): EvalResult {
    const program = this.options.argv.join(' ');
    switch (outcome.kind) {
      case 'aborted':
        // Cancellation is the one thing that must stop the run instead of becoming a score.
        throw outcome.reason instanceof Error ? outcome.reason : new Error('The evaluation was cancelled.');
      case 'spawn-error':
        return failed('command-failed', `Could not start \`${program}\`: ${outcome.message}`);
      case 'timeout':
        return failed('command-failed', `\`${program}\` did not finish within ${this.timeoutMs} ms and was killed.`, { stderr: tail(outcome.stderr) });
      case 'exited':
        break;
    }
    if (outcome.code !== 0) {
      const how = outcome.code === null ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
      return failed('command-failed', `\`${program}\` ${how}.`, { stderr: tail(outcome.stderr) });
    }
    const parsed = parseVerdict(outcome.stdout);
    if (!parsed.ok) {
      return failed('command-failed', `\`${program}\` printed no valid verdict: ${parsed.message}`, {
        stdout: preview(outcome.stdout.trim(), 500),
        stderr: tail(outcome.stderr),
        ...(outcome.stdoutTruncated ? { stdoutTruncated: true } : {}),
      });
    }
    const { score, success, details } = parsed.value;
    return scored(score, success ?? score === 1, details ?? {});
  }
}

type Parsed = { ok: true; value: z.infer<typeof VerdictSchema> } | { ok: false; message: string };

function parseVerdict(stdout: string): Parsed {
  const whole = stdout.trim();
  if (!whole) return { ok: false, message: 'stdout was empty; expected {"score": 0..1}.' };
  const lastLine = whole.split(/\r?\n/).filter((l) => l.trim()).at(-1) ?? '';
  let json: unknown;
  let found = false;
  for (const candidate of [whole, lastLine]) {
    try {
      json = JSON.parse(candidate);
      found = true;
      break;
    } catch {
      // Try the next reading of stdout.
    }
  }
  if (!found) return { ok: false, message: 'stdout is not JSON (neither as a whole nor its last line).' };
  const checked = VerdictSchema.safeParse(json);
  if (checked.success) return { ok: true, value: checked.data };
  const issues = checked.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, message: `the JSON does not fit {score: 0..1, success?, details?} — ${issues}` };
}

function tail(text: string): string {
  return text.length <= STDERR_TAIL ? text : `…${text.slice(-STDERR_TAIL)}`;
}
