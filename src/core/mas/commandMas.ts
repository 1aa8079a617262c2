/**
 * The user's own MAS as a process (DESIGN.md §6). Per task execution:
 *
 * - the candidate prompt files are written to a fresh temp dir (see promptFiles.ts), which is
 *   removed afterwards whatever happens;
 * - `argv` runs without a shell in `cwd` (relative to the workspace; default the workspace) with
 *   a minimal environment (masEnvironment.ts: PATH, HOME, locale, temp, and what `passEnv`
 *   names — no API keys otherwise), then `env` from truce.yaml, then TRUCE_PROMPTS_DIR,
 *   TRUCE_PROMPTS_JSON, TRUCE_TASK_ID, TRUCE_RUN_ID, TRUCE_PROMPT_SET_HASH (and TRUCE_SAMPLE for
 *   repeated executions);
 * - stdin gets the task as one JSON object (`{"id", "input", …}`) and a line break. `reference`,
 *   the expected answer, is left out: a program that pastes the task into a prompt must not hand
 *   the agents the answer they are scored against;
 * - stdout carries the trajectory (see commandOutput.ts for the line protocol and the answer);
 * - with `otlp: true`, a local OTLP receiver runs for the execution and the program gets
 *   OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL
 *   (`http/protobuf` unless truce.yaml's env names another), `truce.task.id` / `truce.run.id`
 *   in OTEL_RESOURCE_ATTRIBUTES, and the receiver's bearer token in OTEL_EXPORTER_OTLP_HEADERS. When stdout holds no trajectory, the spans become one;
 * - with the run's gateway (context.gateway, mas.gateway), the program gets OPENAI_BASE_URL and the
 *   other variables SDKs read, with this execution's token as OPENAI_API_KEY; the executor's real
 *   key is removed from its environment under any name. Afterwards each step whose output is a
 *   call's reply is linked to that call (attrs.callId). Without a gateway, the model calls the
 *   spans report go to context.onModelCalls for the run's accounting;
 * - a non-zero exit, a timeout (the process group is killed), or unusable output is a
 *   MasRunFailure with the reason and the stderr tail; whatever trajectory could be read is kept
 *   as `partial`. Keys in stderr (known key shapes, and the values of key-like variables of
 *   TRUCE's environment) are redacted before anything of it is kept. Cancellation kills the process group and rejects with the abort reason.
 *
 * Running a workspace program is code execution: the runner refuses to exist in an untrusted
 * workspace.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { TruceConfig } from '../config';
import { importOtlpText } from '../trajectory/importOtlp';
import type { Trajectory } from '../trajectory/schema';
import { scrubSecrets } from '../llm/secrets';
import { CommandOutputReader } from './commandOutput';
import { MasSetupError } from './errors';
import { linkGatewayCalls } from './linkGatewayCalls';
import { masEnvironment, secretValues } from '../childEnvironment';
import type { GatewayCallSummary, MasGatewaySession } from './masGateway';
import { runMasProcess, type MasProcessOutcome } from './masProcess';
import { OtlpReceiver, type OtlpTaskCollection } from './otlpReceiver';
import type { OtlpResourceSpans } from './otlpTypes';
import { writePromptFiles, type WrittenPrompts } from './promptFiles';
import { spanModelCalls } from './spanModelCalls';
import type { MasRunContext, MasRunFailure, MasRunner, MasRunResult, MasTask } from './types';

export type CommandMasConfig = Extract<TruceConfig['mas'], { kind: 'command' }>;

export interface CommandMasOptions {
  mas: CommandMasConfig;
  workspaceRoot: string;
  /** Workspace Trust (VS Code) or `--trust` (CLI). */
  trusted: boolean;
  /** TRUCE's environment, where `mas.passEnv` names are looked up; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Parent of the per-execution temp dirs; default the OS temp dir. */
  tmpDir?: string;
  /** Between SIGTERM and SIGKILL when the program is ended; default 2 s. */
  killGraceMs?: number;
  /** How long to wait for late OTLP exports after the program exited; default 2 s. */
  otlpSettleMs?: number;
}

type PartialTrajectory = Omit<Trajectory, 'outcome'>;

const STDERR_TAIL = 2000;
const ATTR_STDERR_TAIL = 8000;

export class CommandMas implements MasRunner {
  readonly kind = 'command' as const;
  private readonly cwd: string;
  private readonly source: Readonly<Record<string, string | undefined>>;

  /** Throws MasSetupError in an untrusted workspace or with an empty argv. */
  constructor(private readonly options: CommandMasOptions) {
    if (!options.trusted) {
      throw new MasSetupError(
        `The command MAS runs "${options.mas.argv.join(' ')}" from this workspace, which is only allowed in a trusted workspace. ` +
          'Trust the folder (or pass --trust to the CLI), or use mas.kind "rounds".',
      );
    }
    if (options.mas.argv.length === 0 || options.mas.argv[0] === '') throw new MasSetupError('mas.argv must name a program, e.g. ["python", "run_mas.py"].');
    const cwd = options.mas.cwd ?? '.';
    this.cwd = isAbsolute(cwd) ? cwd : resolve(options.workspaceRoot, cwd);
    this.source = options.env ?? process.env;
  }

  async run(context: MasRunContext): Promise<MasRunResult | MasRunFailure> {
    const { signal } = context;
    if (signal?.aborted) throw signal.reason;
    const dir = await mkdtemp(join(this.options.tmpDir ?? tmpdir(), 'truce-mas-'));
    let receiver: OtlpReceiver | undefined;
    let gateway: MasGatewaySession | undefined;
    let gatewayCalls: GatewayCallSummary[] | undefined;
    try {
      let written: WrittenPrompts;
      try {
        written = await writePromptFiles(dir, context.prompts);
      } catch (error) {
        return { failed: true, reason: error instanceof Error ? error.message : String(error) };
      }
      const env: NodeJS.ProcessEnv = {
        ...masEnvironment(this.source, this.options.mas.passEnv, this.options.mas.env),
        TRUCE_PROMPTS_DIR: written.promptsDir,
        TRUCE_PROMPTS_JSON: written.manifest,
        TRUCE_TASK_ID: context.task.id,
        TRUCE_RUN_ID: context.runId,
        TRUCE_PROMPT_SET_HASH: context.prompts.hash,
      };
      if (context.sample !== undefined) env.TRUCE_SAMPLE = String(context.sample);
      if (context.gateway) {
        // The MAS reaches its model through the run's gateway with a token of its own; the real
        // key must not reach it by any other name either (passEnv, mas.env).
        gateway = context.gateway.open({ taskId: context.task.id, ...(context.sample !== undefined ? { sample: context.sample } : {}), prompts: context.prompts });
        for (const [name, value] of Object.entries(env)) if (value !== undefined && gateway.secrets.includes(value)) delete env[name];
        Object.assign(env, gateway.env);
      }
      let collection: OtlpTaskCollection | undefined;
      if (this.options.mas.otlp) {
        try {
          receiver = await OtlpReceiver.start();
        } catch (error) {
          return { failed: true, reason: `Could not start the local OTLP receiver (mas.otlp): ${error instanceof Error ? error.message : String(error)}` };
        }
        collection = receiver.beginTask(context.task.id);
        Object.assign(env, otlpEnv(receiver, env, this.options.mas.env, context));
      }

      const reader = new CommandOutputReader(context.onStep);
      const outcome = await runMasProcess({
        argv: this.options.mas.argv,
        cwd: this.cwd,
        env,
        stdin: `${JSON.stringify(taskForProgram(context.task))}\n`,
        timeoutMs: this.options.mas.timeoutMs,
        ...(this.options.killGraceMs !== undefined ? { killGraceMs: this.options.killGraceMs } : {}),
        ...(signal ? { signal } : {}),
        onLine: (text, line) => reader.line(text, line),
      });
      if (outcome.kind === 'aborted') throw signal?.reason ?? outcome.reason;

      let spans: OtlpResourceSpans[] = [];
      if (receiver && collection) {
        await settleWithin(receiver, this.options.otlpSettleMs ?? 2000);
        spans = collection.stop();
      }
      if (gateway) gatewayCalls = await gateway.finish();
      const result = this.result(outcome, reader, spans, context, gateway?.secrets ?? []);
      const trajectory = 'failed' in result ? result.partial : result.trajectory;
      if (trajectory && gatewayCalls) linkGatewayCalls(trajectory.steps, gatewayCalls);
      // Without a gateway the spans are the only account of the MAS's spend.
      if (!gateway && spans.length > 0 && context.onModelCalls) {
        const fromSpans = trajectory?.attrs?.trajectorySource === 'otlp' ? trajectory : trajectoryFromSpans(spans, { runId: context.runId, taskId: context.task.id }).trajectory;
        if (fromSpans) context.onModelCalls(spanModelCalls(fromSpans.steps));
      }
      return result;
    } finally {
      // Revokes the execution's token even when the run went wrong before it finished.
      if (gateway && !gatewayCalls) await gateway.finish().catch(() => undefined);
      await receiver?.close();
      await rm(dir, { recursive: true, force: true });
    }
  }

  private result(outcome: Exclude<MasProcessOutcome, { kind: 'aborted' }>, reader: CommandOutputReader, spans: OtlpResourceSpans[], context: MasRunContext, extraSecrets: readonly string[]): MasRunResult | MasRunFailure {
    const ids = { runId: context.runId, taskId: context.task.id };
    const output = reader.finish(ids);
    let trajectory = output.trajectory;
    let answer = output.answer;
    const problems = [...output.problems];
    let source = 'stdout';
    if (!output.printedTrajectory && spans.length > 0) {
      const fromSpans = trajectoryFromSpans(spans, ids);
      problems.push(...fromSpans.problems);
      if (fromSpans.trajectory) {
        trajectory = fromSpans.trajectory;
        source = 'otlp';
        // An explicit answer line still wins over the last span's output.
        answer = output.answer ?? lastOutput(trajectory);
      }
    }
    const stderr = 'stderr' in outcome ? scrubSecrets(outcome.stderr, [...secretValues(this.source), ...extraSecrets]) : '';
    if (trajectory) {
      trajectory.attrs = {
        ...trajectory.attrs,
        mas: 'command',
        trajectorySource: source,
        promptSetHash: context.prompts.hash,
        ...(stderr.trim() !== '' ? { stderrTail: tail(stderr, ATTR_STDERR_TAIL) } : {}),
        ...(outcome.kind === 'exited' ? { exitCode: outcome.code, ...(outcome.signal ? { exitSignal: outcome.signal } : {}) } : {}),
        ...(problems.length > 0 ? { outputProblems: problems } : {}),
      };
    }
    const withStderr = (reason: string): string => (stderr.trim() !== '' ? `${reason}\nstderr (last lines):\n${tail(stderr, STDERR_TAIL)}` : reason);
    const failure = (reason: string): MasRunFailure => ({ failed: true, reason: withStderr(reason), ...(trajectory ? { partial: trajectory } : {}) });
    const program = this.options.mas.argv.join(' ');

    switch (outcome.kind) {
      case 'spawn-error':
        return failure(`Could not start "${program}" in ${this.cwd}: ${outcome.message}. Check mas.argv and mas.cwd in truce.yaml.`);
      case 'timeout':
        return failure(`"${program}" did not finish within ${this.options.mas.timeoutMs} ms (mas.timeoutMs); it was stopped with its child processes.`);
      case 'overflow':
        return failure(`"${program}" printed more output than TRUCE keeps; it was stopped with its child processes.`);
      case 'exited':
        if (outcome.code !== 0) {
          const how = outcome.code === null ? `was killed by ${outcome.signal ?? 'a signal'}` : `exited with code ${outcome.code}`;
          return failure(`"${program}" ${how}.`);
        }
    }
    if (!trajectory) {
      const what = output.printedTrajectory || spans.length > 0 ? 'printed a trajectory TRUCE cannot use' : this.options.mas.otlp ? 'printed no trajectory and sent no spans' : 'printed no trajectory';
      const details = problems.length > 0 ? `: ${problems.slice(0, 5).join('; ')}` : '';
      const fix = `print each step as a line {"type": "step", "agentId": …, "output": …} on stdout${this.options.mas.otlp ? ', or export OTLP spans to OTEL_EXPORTER_OTLP_ENDPOINT' : ''}`;
      return failure(`"${program}" ${what}${details}. See the command MAS protocol (README, "Your own MAS"): ${fix}.`);
    }
    if (answer === undefined) return failure(`"${program}" gave no answer: its trajectory has no steps and no "answer".`);
    return { trajectory, answer };
  }
}

function otlpEnv(receiver: OtlpReceiver, env: NodeJS.ProcessEnv, configured: Record<string, string>, context: MasRunContext): NodeJS.ProcessEnv {
  const ours = [`truce.task.id=${encodeURIComponent(context.task.id)}`, `truce.run.id=${encodeURIComponent(context.runId)}`].join(',');
  const resource = env.OTEL_RESOURCE_ATTRIBUTES ? `${env.OTEL_RESOURCE_ATTRIBUTES},${ours}` : ours;
  // The receiver's bearer token, after any headers truce.yaml sets for other exporters.
  const headers = configured.OTEL_EXPORTER_OTLP_HEADERS ? `${configured.OTEL_EXPORTER_OTLP_HEADERS},${receiver.headers}` : receiver.headers;
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    // A traces-specific endpoint inherited from the user's shell would win over the generic one.
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: configured.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: configured.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? configured.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    OTEL_RESOURCE_ATTRIBUTES: resource,
    OTEL_EXPORTER_OTLP_HEADERS: headers,
    // Set too, so a traces-specific value from mas.env cannot drop the token.
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: headers,
  };
}

async function settleWithin(receiver: OtlpReceiver, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([receiver.settle(), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/**
 * Spans → one trajectory through the OTLP importer. Everything collected belongs to this one
 * execution, but a program without context propagation starts a new trace per call; the spans
 * are put into one trace first so the importer builds one trajectory, not one per call.
 */
function trajectoryFromSpans(resourceSpans: OtlpResourceSpans[], ids: { runId: string; taskId: string }): { trajectory?: PartialTrajectory; problems: string[] } {
  let traceId: string | undefined;
  const unified = resourceSpans.map((rs) => ({
    ...rs,
    scopeSpans: rs.scopeSpans.map((ss) => ({
      ...ss,
      spans: ss.spans.map((span) => {
        const id = typeof span.traceId === 'string' && span.traceId !== '' ? span.traceId : undefined;
        traceId ??= id;
        return { ...span, traceId: traceId ?? span.traceId };
      }),
    })),
  }));
  const imported = importOtlpText(JSON.stringify({ resourceSpans: unified }), { source: 'otlp-receiver' });
  const problems = imported.errors.filter((e) => e.severity !== 'warning').map((e) => `OTLP: ${e.message}${e.path ? ` at ${e.path}` : ''}`);
  const first = imported.trajectories[0];
  if (!first) return { problems };
  const { outcome, ...rest } = first;
  const trajectory: PartialTrajectory = { ...rest, runId: ids.runId, taskId: ids.taskId };
  if (outcome) trajectory.attrs = { ...trajectory.attrs, reportedOutcome: outcome };
  return { trajectory, problems };
}

function taskForProgram(task: MasTask): Omit<MasTask, 'reference'> {
  const { reference: _answer, ...visible } = task;
  return visible;
}

function lastOutput(trajectory: PartialTrajectory): string | undefined {
  return trajectory.steps[trajectory.steps.length - 1]?.output;
}

function tail(text: string, chars: number): string {
  const trimmed = text.trimEnd();
  return trimmed.length <= chars ? trimmed : `…${trimmed.slice(-chars)}`;
}
