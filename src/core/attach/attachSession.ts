/**
 * Live attach: TRUCE listens for the traces of a MAS the user runs on their own (any language,
 * any framework with an OTLP exporter), turns each trace into a trajectory as its spans arrive,
 * scores it when it can, and keeps everything as a run in `.truce/runs/<id>/` — written again
 * whenever a trajectory changed, so the trajectory panel (which watches that folder) shows the run
 * growing. Credit and suggestions then work on it like on any run.
 *
 * The receiver is the command MAS's (mas/otlpReceiver.ts): loopback only, bearer token, body cap,
 * 400 for what it cannot read. What arrived is kept in memory until the session stops, so a bad
 * request, a failed write or a late piece of a trace never costs a trace already received: the
 * next write carries everything again.
 *
 * The trajectories file is replaced as a whole (atomically) instead of appended to: a trace grows
 * after its first version was written, and a run keeps one trajectory per task.
 *
 * Why one file of ~500 lines: receiving, scoring, rating and writing all change the same session
 * state (the entries by trace and by task, the dirty set, the write in flight, the stop), and the
 * ordering rules between them — a rating during a write, a trace that grows after it was scored,
 * a stop while an evaluation runs — are the point of this class. What does not touch that state
 * is outside: the receiver, the trace book, task matching, scoring and the manifest.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TruceConfig } from '../config';
import type { Evaluator } from '../eval';
import { OtlpReceiver } from '../mas/otlpReceiver';
import type { OtlpTraceRequest } from '../mas/otlpTypes';
import type { MasTask } from '../mas/types';
import { snapshotPromptFiles, sha256, type PromptFileSnapshot } from '../run/runIdentity';
import { writeFileAtomic, writeJsonAtomic } from '../store/atomicWrite';
import type { FileLock } from '../store/fileLock';
import type { Manifest } from '../store/manifest';
import { RUN_FILES, runsDir } from '../store/paths';
import { newRunId, isRunId } from '../store/runId';
import { lockRunDir } from '../store/runLock';
import { summarizeRun } from '../store/summarizeRun';
import { TRAJECTORY_FORMAT_VERSION, type Outcome, type Trajectory } from '../trajectory/schema';
import { attachManifest } from './attachManifest';
import { AttachSetupError, describeListenError } from './attachErrors';
import { LiveTraceBook, type LiveTrace } from './liveTraces';
import { answerOf, automaticOutcome, evaluateTrajectory, userOutcome, type Verdict } from './liveOutcome';
import { inputsOf, TaskMatcher, type TaskMatch } from './taskMatcher';

export const DEFAULT_ATTACH_PORT = 4318;
const DEFAULT_SETTLE_MS = 2000;
const DEFAULT_WRITE_DELAY_MS = 200;

export interface AttachOptions {
  workspaceRoot: string;
  /** Default 4318, the OTLP/HTTP port exporters send to when told nothing else. */
  port?: number;
  /** The bearer token exporters must send; default a fresh random one. */
  token?: string;
  maxBodyBytes?: number;
  /** A new run id for the recording (default one made from the time). */
  runId?: string;
  /** truce.yaml as parsed, when the workspace has one: recorded in the manifest for credit and suggestions. */
  config?: TruceConfig;
  configFile?: string;
  /** Tasks whose references score the traces they match (see taskMatcher.ts). */
  tasks?: readonly MasTask[];
  /** Workspace-relative path and text of the tasks file, for the manifest. */
  tasksFile?: string;
  tasksText?: string;
  /** Scores a settled trace's answer; without one only verdicts and the spans' own scores count. */
  evaluator?: Evaluator;
  /** A trace counts as finished once its root span is in and nothing arrived for this long. */
  settleMs?: number;
  /** Spans arriving close together are written once, this long after the first. */
  writeDelayMs?: number;
  now?: () => Date;
  toolVersion?: string;
  /** After every write: what the run holds now. */
  onUpdate?: (status: AttachStatus) => void;
  /** Something went wrong that did not stop the session (a write failed, an evaluator threw). */
  onProblem?: (message: string) => void;
}

export interface AttachStatus {
  runId: string;
  dir: string;
  port: number;
  endpoint: string;
  listening: boolean;
  /** Requests with spans the receiver accepted. */
  exports: number;
  spans: number;
  traces: number;
  /** Traces that became trajectories (a trace with no model, tool or agent span yet has none). */
  trajectories: number;
  scored: number;
}

interface Entry {
  trace: LiveTrace;
  taskId: string;
  trajectory?: Trajectory;
  builtRevision: number;
  problems: string[];
  match?: TaskMatch;
  /** The evaluator's outcome and the answer it judged. */
  evaluated?: Outcome;
  evaluatedAnswer?: string;
  evaluating?: Promise<void>;
  note?: string;
  verdict?: Verdict;
  /** The JSONL line last written for this entry; undefined when it must be made again. */
  line?: string;
}

export class AttachSession {
  private readonly book: LiveTraceBook;
  private readonly entries = new Map<string, Entry>();
  private readonly byTask = new Map<string, Entry>();
  private readonly matcher: TaskMatcher;
  private readonly now: () => Date;
  private readonly settleMs: number;
  private readonly writeDelayMs: number;
  private receiver: OtlpReceiver | undefined;
  private manifest: Manifest;
  private lock: FileLock | undefined;
  private exports = 0;
  private dirty = new Set<string>();
  private changed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Writes run one after another; each waits for the one before. */
  private writing: Promise<void> = Promise.resolve();
  private stopped: Promise<AttachStatus> | undefined;

  private constructor(
    private readonly options: AttachOptions,
    readonly dir: string,
    manifest: Manifest,
  ) {
    this.now = options.now ?? (() => new Date());
    this.book = new LiveTraceBook(() => this.now().getTime());
    this.matcher = new TaskMatcher(options.tasks ?? []);
    this.settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.writeDelayMs = options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS;
    this.manifest = manifest;
  }

  /**
   * Starts listening, then creates the run folder (a port in use fails before anything is written).
   * Throws AttachSetupError with what to do when the port is taken or the run cannot be created.
   */
  static async start(options: AttachOptions): Promise<AttachSession> {
    const port = options.port ?? DEFAULT_ATTACH_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AttachSetupError(`Port ${port} is not a TCP port; give a whole number from 1 to 65535 (OTLP/HTTP uses 4318).`);
    if (options.runId !== undefined && !isRunId(options.runId)) {
      throw new AttachSetupError(`"${options.runId}" is not a run id; run ids look like 20261207-093015-ab12. Leave it out to get a new one.`);
    }
    const now = options.now ?? (() => new Date());
    const createdAt = now();
    const runId = options.runId ?? newRunId(createdAt);
    const dir = join(runsDir(options.workspaceRoot), runId);
    if (existsSync(dir)) throw new AttachSetupError(`Run ${runId} already exists in .truce/runs/; name a new run, or leave the id out to get one.`);

    let promptFiles: PromptFileSnapshot[] = [];
    if (options.config) {
      try {
        promptFiles = await snapshotPromptFiles(options.config, options.workspaceRoot);
      } catch (error) {
        throw new AttachSetupError(`Cannot read the prompt files truce.yaml names: ${(error as Error).message}`);
      }
    }
    const manifest = attachManifest({
      runId,
      createdAt,
      port,
      ...(options.config ? { config: options.config } : {}),
      ...(options.configFile !== undefined ? { configFile: options.configFile } : {}),
      promptFiles,
      promptHash: sha256(promptFiles.map((f) => `${f.file}:${f.sha256}`).join('\n')),
      ...(options.tasksFile !== undefined ? { tasksFile: options.tasksFile } : {}),
      ...(options.tasksText !== undefined ? { tasksText: options.tasksText } : {}),
      ...(options.toolVersion !== undefined ? { toolVersion: options.toolVersion } : {}),
    });
    const session = new AttachSession(options, dir, manifest);
    try {
      session.receiver = await OtlpReceiver.start({
        port,
        ...(options.token !== undefined ? { token: options.token } : {}),
        ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
        onTraces: (request) => session.receive(request),
      });
    } catch (error) {
      throw new AttachSetupError(describeListenError(error, port));
    }
    try {
      await mkdir(runsDir(options.workspaceRoot), { recursive: true });
      await mkdir(dir);
      session.lock = lockRunDir(dir, runId, 'run');
      await writeJsonAtomic(join(dir, RUN_FILES.manifest), manifest);
      await writeFileAtomic(join(dir, RUN_FILES.trajectories), '');
    } catch (error) {
      session.lock?.release();
      await session.receiver.close();
      throw new AttachSetupError(`Cannot create the run folder ${dir}: ${(error as Error).message}`);
    }
    return session;
  }

  get runId(): string {
    return this.manifest.runId;
  }

  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    return this.receiver?.endpoint ?? '';
  }

  get token(): string {
    return this.receiver?.token ?? '';
  }

  /** The OTEL_EXPORTER_OTLP_HEADERS value that carries the token. */
  get headers(): string {
    return this.receiver?.headers ?? '';
  }

  get status(): AttachStatus {
    let trajectories = 0;
    let scored = 0;
    for (const entry of this.entries.values()) {
      if (!entry.trajectory) continue;
      trajectories++;
      if (this.outcomeOf(entry)) scored++;
    }
    return {
      runId: this.runId,
      dir: this.dir,
      port: this.manifest.attach?.port ?? 0,
      endpoint: this.endpoint,
      listening: this.stopped === undefined,
      exports: this.exports,
      spans: this.book.spanCount,
      traces: this.book.traceCount,
      trajectories,
      scored,
    };
  }

  /** Task ids of the trajectories so far, in arrival order. */
  taskIds(): string[] {
    return [...this.entries.values()].filter((e) => e.trajectory).map((e) => e.taskId);
  }

  /**
   * Records the user's verdict on a trajectory (null takes it back) and writes the run at once.
   * Returns the outcome the trajectory has now.
   */
  async rate(taskId: string, verdict: Verdict | null): Promise<Outcome | undefined> {
    const entry = this.byTask.get(taskId);
    if (!entry?.trajectory) throw new Error(`Run ${this.runId} has no trajectory "${taskId}" to rate.`);
    if (verdict === null) delete entry.verdict;
    else entry.verdict = verdict;
    entry.line = undefined;
    this.changed = true;
    await this.writeNow();
    return this.outcomeOf(entry);
  }

  /** Resolves once everything received so far is written (and, with `evaluate`, scored). */
  async flush(): Promise<void> {
    await this.receiver?.settle();
    await this.writeNow();
    await Promise.all([...this.entries.values()].map((e) => e.evaluating));
    await this.writeNow();
  }

  /**
   * Stops listening, waits for requests in flight, scores what is left (every trace is final
   * now), writes the run one last time and marks it completed. Safe to call more than once.
   */
  stop(): Promise<AttachStatus> {
    this.stopped ??= this.finish();
    return this.stopped;
  }

  private async finish(): Promise<AttachStatus> {
    // Requests already in flight are still recorded: the receiver hands them over while settling.
    if (this.receiver) {
      await this.receiver.settle();
      await this.receiver.close();
    }
    if (this.timer) clearTimeout(this.timer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.timer = this.settleTimer = undefined;
    try {
      this.rebuild();
      this.startEvaluations(true);
      await Promise.all([...this.entries.values()].map((e) => e.evaluating));
      this.changed = true;
      await this.writeNow();
      const trajectories = this.trajectories();
      this.manifest = { ...this.manifest, status: 'completed', updatedAt: this.now().toISOString() };
      delete this.manifest.pid;
      await writeJsonAtomic(join(this.dir, RUN_FILES.manifest), this.manifest);
      await writeJsonAtomic(join(this.dir, RUN_FILES.summary), summarizeRun(this.manifest, trajectories, []));
    } finally {
      this.lock?.release();
    }
    return this.status;
  }

  private receive(request: OtlpTraceRequest): void {
    const added = this.book.add(request);
    if (added.accepted === 0) return;
    this.exports++;
    for (const traceId of added.traces) this.dirty.add(traceId);
    // While stopping, the final write picks these up.
    if (this.stopped) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.writeNow();
    }, this.writeDelayMs);
  }

  private outcomeOf(entry: Entry): Outcome | undefined {
    const automatic = this.automaticOf(entry);
    return entry.verdict ? userOutcome(entry.verdict, automatic) : automatic;
  }

  /** The spans' own score, else the evaluator's (for the answer as it is now). */
  private automaticOf(entry: Entry): Outcome | undefined {
    const own = automaticOutcome(entry.trajectory?.outcome);
    if (own) return { ...own, details: { ...own.details, source: 'spans' } };
    return entry.evaluated;
  }

  /** Rebuilds the trajectories of traces that received spans since their last build. */
  private rebuild(): void {
    for (const traceId of this.dirty) {
      const trace = this.book.get(traceId);
      if (!trace) continue;
      let entry = this.entries.get(traceId);
      if (!entry) {
        entry = { trace, taskId: this.newTaskId(traceId), builtRevision: -1, problems: [] };
        this.entries.set(traceId, entry);
        this.byTask.set(entry.taskId, entry);
      }
      if (entry.builtRevision === trace.revision) continue;
      const built = this.book.build(traceId);
      entry.builtRevision = trace.revision;
      entry.problems = built.problems;
      if (built.trajectory) {
        // The importer's task id is the one the spans named (else the trace id): kept for matching.
        const spanTaskId = built.trajectory.taskId !== traceId ? built.trajectory.taskId : undefined;
        entry.trajectory = built.trajectory;
        entry.match = this.matcher.size > 0 ? this.matcher.match(spanTaskId, inputsOf(built.trajectory)) : undefined;
      }
      entry.line = undefined;
      this.changed = true;
    }
    this.dirty.clear();
  }

  /** `trace-` and the first 12 hex digits of the trace id; longer only if two traces share those. */
  private newTaskId(traceId: string): string {
    for (const length of [12, 32]) {
      const id = `trace-${traceId.slice(0, length)}`;
      if (!this.byTask.has(id)) return id;
    }
    let n = 2;
    while (this.byTask.has(`trace-${traceId}-${n}`)) n++;
    return `trace-${traceId}-${n}`;
  }

  /**
   * Scores settled traces whose answer the evaluator has not judged yet; `all` (at stop) treats
   * every trace as settled. Traces still waiting to settle get a timer that looks again.
   */
  private startEvaluations(all: boolean): void {
    const evaluator = this.options.evaluator;
    if (!evaluator) return;
    const nowMs = this.now().getTime();
    let nextCheck = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) {
      const trajectory = entry.trajectory;
      if (!trajectory || entry.evaluating || automaticOutcome(trajectory.outcome)) continue;
      const answer = answerOf(trajectory);
      if (answer === entry.evaluatedAnswer && (entry.evaluated || entry.note)) continue;
      const settlesAt = entry.trace.lastSpanAt + this.settleMs;
      if (!all && (!entry.trace.hasRoot || settlesAt > nowMs)) {
        if (entry.trace.hasRoot) nextCheck = Math.min(nextCheck, settlesAt);
        continue;
      }
      const revision = entry.trace.revision;
      entry.evaluating = evaluateTrajectory(trajectory, entry.match, evaluator)
        .then(
          (score) => {
            // A piece that arrived meanwhile changed the answer: this score is for an old one.
            if (entry.trace.revision !== revision && !all) return;
            entry.evaluatedAnswer = answer;
            if (score.outcome) entry.evaluated = score.outcome;
            else delete entry.evaluated;
            if (score.note) entry.note = score.note;
            else delete entry.note;
          },
          (error: unknown) => {
            entry.evaluatedAnswer = answer;
            entry.note = `the evaluator failed: ${(error as Error).message}`;
            this.options.onProblem?.(`${entry.taskId}: ${entry.note}`);
          },
        )
        .finally(() => {
          entry.evaluating = undefined;
          entry.line = undefined;
          this.changed = true;
          if (!this.stopped) void this.writeNow();
        });
    }
    if (!all && Number.isFinite(nextCheck) && !this.stopped) {
      if (this.settleTimer) clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => {
        this.settleTimer = undefined;
        void this.writeNow();
      }, Math.max(0, nextCheck - nowMs) + 10);
    }
  }

  private trajectories(): Trajectory[] {
    const out: Trajectory[] = [];
    for (const entry of this.entries.values()) {
      const t = this.stored(entry);
      if (t) out.push(t);
    }
    return out;
  }

  /** The trajectory as the run keeps it: this run's ids, the matched task, the outcome. */
  private stored(entry: Entry): Trajectory | undefined {
    const built = entry.trajectory;
    if (!built) return undefined;
    const { outcome: _own, ...rest } = built;
    const outcome = this.outcomeOf(entry);
    const task = entry.match?.task;
    const spanTaskId = built.taskId !== entry.trace.traceId ? built.taskId : undefined;
    return {
      ...rest,
      runId: this.runId,
      taskId: entry.taskId,
      ...(task ? { task: task.reference !== undefined ? { input: task.input, reference: task.reference } : { input: task.input } } : {}),
      ...(outcome ? { outcome } : {}),
      attrs: {
        ...built.attrs,
        split: 'train',
        attached: true,
        ...(spanTaskId !== undefined ? { spanTaskId } : {}),
        ...(task ? { matchedTask: task.id, matchedBy: entry.match?.by } : {}),
        ...(built.runId !== `otlp:${entry.trace.traceId}` ? { sourceRunId: built.runId } : {}),
        ...(entry.note && !outcome ? { scoreNote: entry.note } : {}),
        ...(entry.problems.length ? { importProblems: entry.problems.slice(0, 10) } : {}),
      },
    };
  }

  /** Queues a write of everything that changed; resolves when it is done. */
  private writeNow(): Promise<void> {
    const next = this.writing.then(() => this.write());
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    this.rebuild();
    if (!this.stopped) this.startEvaluations(false);
    if (!this.changed) return;
    this.changed = false;
    const lines: string[] = [];
    const tasks: Manifest['selection']['tasks'] = [];
    for (const entry of this.entries.values()) {
      if (!entry.trajectory) continue;
      if (entry.line === undefined) {
        const stored = this.stored(entry) as Trajectory;
        entry.line = JSON.stringify({ version: TRAJECTORY_FORMAT_VERSION, ...stored });
      }
      lines.push(entry.line);
      tasks.push({ id: entry.taskId, split: 'train' });
    }
    try {
      await writeFileAtomic(join(this.dir, RUN_FILES.trajectories), lines.length ? `${lines.join('\n')}\n` : '');
      if (tasks.length !== this.manifest.selection.tasks.length) {
        this.manifest = {
          ...this.manifest,
          updatedAt: this.now().toISOString(),
          split: { ...this.manifest.split, sizes: { train: tasks.length, val: 0, test: 0 } },
          selection: { ...this.manifest.selection, tasks },
        };
        await writeJsonAtomic(join(this.dir, RUN_FILES.manifest), this.manifest);
      }
    } catch (error) {
      // Everything is still in memory; the next write (the next export, or stop) tries again.
      this.changed = true;
      this.options.onProblem?.(`Could not write run ${this.runId}: ${(error as Error).message}`);
      return;
    }
    this.options.onUpdate?.(this.status);
  }
}
