/**
 * The run store: one folder per run under `.truce/runs/<runId>/` holding the manifest, the scored
 * trajectories, the LLM call records, the journal and the summary. Whole files are replaced
 * atomically; the three JSONL files are append-only and crash tolerant (see jsonlFile.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Trajectory } from '../trajectory/schema';
import { TRAJECTORY_FORMAT_VERSION } from '../trajectory/schema';
import { writeJsonAtomic } from './atomicWrite';
import type { StoredCallRecord } from './callRecord';
import type { JournalEntry } from './journal';
import { JsonlAppender } from './jsonlFile';
import type { Manifest } from './manifest';
import { RUN_FILES, runsDir } from './paths';
import type { RunSummary } from './summarizeRun';

export class RunStore {
  private constructor(
    readonly dir: string,
    private current: Manifest,
    private readonly trajectoriesFile: JsonlAppender,
    private readonly callsFile: JsonlAppender,
    private readonly journalFile: JsonlAppender,
    private readonly now: () => Date,
    /** Bytes of torn final lines removed when the store was opened (a crash left them). */
    readonly repairedBytes: number,
  ) {}

  /** Creates the folder of a new run; fails if it exists, so two runs never share one. */
  static async create(workspaceRoot: string, manifest: Manifest, now: () => Date = () => new Date()): Promise<RunStore> {
    const dir = join(runsDir(workspaceRoot), manifest.runId);
    await mkdir(runsDir(workspaceRoot), { recursive: true });
    await mkdir(dir);
    await writeJsonAtomic(join(dir, RUN_FILES.manifest), manifest);
    return RunStore.attach(dir, manifest, now);
  }

  /** Opens an existing run for appending (resume). The caller has read and checked the manifest. */
  static async reopen(dir: string, manifest: Manifest, now: () => Date = () => new Date()): Promise<RunStore> {
    return RunStore.attach(dir, manifest, now);
  }

  private static async attach(dir: string, manifest: Manifest, now: () => Date): Promise<RunStore> {
    const t = await JsonlAppender.open(join(dir, RUN_FILES.trajectories), { durable: true });
    const c = await JsonlAppender.open(join(dir, RUN_FILES.calls));
    const j = await JsonlAppender.open(join(dir, RUN_FILES.journal), { durable: true });
    return new RunStore(dir, manifest, t.appender, c.appender, j.appender, now, t.droppedBytes + c.droppedBytes + j.droppedBytes);
  }

  get manifest(): Manifest {
    return this.current;
  }

  get runId(): string {
    return this.current.runId;
  }

  async updateManifest(patch: Partial<Omit<Manifest, 'format' | 'runId' | 'createdAt'>>): Promise<void> {
    this.current = { ...this.current, ...patch, updatedAt: this.now().toISOString() };
    if (patch.statusReason === undefined && 'statusReason' in patch) delete this.current.statusReason;
    await writeJsonAtomic(join(this.dir, RUN_FILES.manifest), this.current);
  }

  appendTrajectory(trajectory: Trajectory): Promise<void> {
    return this.trajectoriesFile.append({ version: TRAJECTORY_FORMAT_VERSION, ...trajectory });
  }

  appendCalls(...records: StoredCallRecord[]): Promise<void> {
    return this.callsFile.append(...records);
  }

  journal(entry: JournalEntry): Promise<void> {
    return this.journalFile.append({ ts: this.now().toISOString(), ...entry });
  }

  async writeSummary(summary: RunSummary): Promise<void> {
    await writeJsonAtomic(join(this.dir, RUN_FILES.summary), summary);
  }

  /** Waits for queued appends; rejects with the first write failure. */
  async flush(): Promise<void> {
    await Promise.all([this.trajectoriesFile.flush(), this.callsFile.flush(), this.journalFile.flush()]);
  }
}
