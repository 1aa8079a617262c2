/**
 * The runs of one workspace as the panel sees them. Loading a run parses every trajectory, so a
 * loaded run is kept until its files change (the watcher calls `invalidate`); concurrent requests
 * for the same run share one load. No `vscode` import.
 */
import { join } from 'node:path';
import { listRuns, loadRun, readManifest, runsDir } from '../../core/store';
import { PanelLookupError } from '../../shared/panel/panelRun';
import type { RunItem } from '../../shared/panelProtocol';
import { RunView } from '../../shared/panel/runView';
import { readRunExtras } from './readRunExtras';

export interface RunSource {
  list(): Promise<RunItem[]>;
  view(runId: string): Promise<RunView>;
  /** Workspace-relative prompt files the run used, with the agents each defines. */
  promptFiles(runId: string): Promise<Array<{ file: string; agents: string[] }>>;
}

export class RunViewCache implements RunSource {
  private readonly views = new Map<string, Promise<RunView>>();

  /** Without a local workspace folder there are no runs to show. */
  constructor(readonly workspaceRoot: string | undefined) {}

  async list(): Promise<RunItem[]> {
    if (this.workspaceRoot === undefined) return [];
    const runs = await listRuns(this.workspaceRoot);
    // Newest first: the run a user just finished is the one they open the panel for.
    return runs.reverse().map((r) => ({ runId: r.runId, createdAt: r.createdAt, state: r.state, tasks: r.tasks }));
  }

  view(runId: string): Promise<RunView> {
    let view = this.views.get(runId);
    if (!view) {
      view = this.load(runId);
      this.views.set(runId, view);
      // A failed load (a run folder half written) must not stick: the next request tries again.
      view.catch(() => this.views.get(runId) === view && this.views.delete(runId));
    }
    return view;
  }

  async promptFiles(runId: string): Promise<Array<{ file: string; agents: string[] }>> {
    const manifest = await readManifest(join(runsDir(this.root()), runId));
    return manifest.prompts.files.map((f) => ({ file: f.file, agents: f.agents }));
  }

  /** Forgets the named runs (all of them when `runIds` is empty). */
  invalidate(runIds: readonly string[]): void {
    if (runIds.length === 0) this.views.clear();
    for (const id of runIds) this.views.delete(id);
  }

  private root(): string {
    if (this.workspaceRoot === undefined) throw new PanelLookupError('Open a local folder with a .truce/runs/ folder to see its runs.');
    return this.workspaceRoot;
  }

  private async load(runId: string): Promise<RunView> {
    const run = await loadRun(this.root(), runId);
    const extras = await readRunExtras(run.dir);
    return new RunView({ manifest: run.manifest, trajectories: run.trajectories, problems: run.problems, extras });
  }
}
