/**
 * The runs of one workspace as the panel sees them: ordinary runs (manifest.json) and optimize
 * runs (optimize.json), each optimize run followed by the runs it started, then the files of
 * imported trajectories in .truce/imports/ (see readImportRun.ts). Loading a run parses every trajectory, so a
 * loaded run is kept until its files change (the watcher calls `invalidate`); concurrent requests
 * for the same run share one load. No `vscode` import.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OptimizeManifest } from '../../core/optimize/optimizeStore';
import { isRunId, listRuns, loadRun, readManifest, runDir, runsDir } from '../../core/store';
import { PanelLookupError } from '../../shared/panel/panelRun';
import type { RunItem } from '../../shared/panelProtocol';
import { RunView } from '../../shared/panel/runView';
import { IMPORT_ID_PREFIX, ImportCounts, listImportFiles, loadImportPanelRun } from './readImportRun';
import { loadOptimizePanelRun, optimizeManifestOf, optimizePromptFiles, optimizeRunItem } from './readOptimizeRun';
import { readRunExtras } from './readRunExtras';

export interface RunSource {
  list(): Promise<RunItem[]>;
  view(runId: string): Promise<RunView>;
  /** Workspace-relative prompt files the run used, with the agents each defines. */
  promptFiles(runId: string): Promise<Array<{ file: string; agents: string[] }>>;
}

export class RunViewCache implements RunSource {
  private readonly views = new Map<string, Promise<RunView>>();
  /** Optimize run id → the runs it shows tasks from: a change in one of them is a change of the optimize run. */
  private readonly subRuns = new Map<string, Set<string>>();
  private readonly importCounts: ImportCounts | undefined;

  /**
   * Runs asked for, least recently first, with the runs an optimize run shows tasks from. Kept
   * through `invalidate`: a run whose files change is still shown, and following it anew each
   * time would start a new watch just when its next write comes.
   */
  private readonly shown = new Set<string>();

  /**
   * Without a local workspace folder there are no runs to show. `onShownRunsChange` hears the runs
   * asked for so far (see {@link shownRuns}) whenever that list changes: the runs whose changes
   * must reach the panel.
   */
  constructor(
    readonly workspaceRoot: string | undefined,
    private readonly onShownRunsChange?: (runIds: string[]) => void,
  ) {
    if (workspaceRoot !== undefined) this.importCounts = new ImportCounts(workspaceRoot);
  }

  /** The runs asked for so far, least recently first, with the runs an optimize run shows tasks from. */
  shownRuns(): string[] {
    return [...this.shown];
  }

  private show(runIds: readonly string[]): void {
    const before = [...this.shown].join();
    for (const id of runIds) {
      this.shown.delete(id);
      this.shown.add(id);
    }
    if ([...this.shown].join() !== before) this.onShownRunsChange?.(this.shownRuns());
  }

  async list(): Promise<RunItem[]> {
    if (this.workspaceRoot === undefined) return [];
    const root = this.workspaceRoot;
    const runs = await listRuns(root);
    const optimizeRuns = await this.optimizeManifests(root);
    const parentOf = new Map<string, RunItem['parent']>();
    for (const m of optimizeRuns) for (const sub of m.subRuns) parentOf.set(sub.runId, { runId: m.runId, purpose: sub.purpose, round: sub.round });
    const plain = new Map<string, RunItem>(
      runs.map((r) => [r.runId, { runId: r.runId, kind: 'run', createdAt: r.createdAt, state: r.state, tasks: r.tasks, method: null, val: null, test: null, parent: parentOf.get(r.runId) ?? null }]),
    );
    const top: Array<{ item: RunItem; children: RunItem[] }> = [];
    for (const r of plain.values()) if (!r.parent || !optimizeRuns.some((m) => m.runId === r.parent?.runId)) top.push({ item: r, children: [] });
    for (const m of optimizeRuns) {
      const extras = await readRunExtras(runDir(root, m.runId));
      const children = m.subRuns.flatMap((s) => plain.get(s.runId) ?? []).reverse();
      top.push({ item: await optimizeRunItem(root, m, extras.optimize), children });
    }
    // Newest first: the run a user just finished is the one they open the panel for. The runs an
    // optimize run started follow it, so the optimize run itself comes first.
    top.sort((a, b) => (a.item.runId < b.item.runId ? 1 : a.item.runId > b.item.runId ? -1 : 0));
    // Imports follow the runs, by file name: they are reference material, not the latest work.
    const imports: RunItem[] = [];
    for (const name of await listImportFiles(root)) {
      const item = await this.importCounts?.item(name);
      if (item) imports.push(item);
    }
    return [...top.flatMap((t) => [t.item, ...t.children]), ...imports];
  }

  private async optimizeManifests(root: string): Promise<OptimizeManifest[]> {
    let names: string[];
    try {
      names = await readdir(runsDir(root));
    } catch {
      return [];
    }
    const out: OptimizeManifest[] = [];
    for (const name of names.filter(isRunId)) {
      const manifest = await optimizeManifestOf(join(runsDir(root), name));
      // A manifest that names another folder than its own (copied or edited) is not followed.
      if (manifest && manifest.runId === name) out.push(manifest);
    }
    return out;
  }

  view(runId: string): Promise<RunView> {
    let view = this.views.get(runId);
    if (!view) {
      view = this.load(runId);
      this.views.set(runId, view);
      // A failed load (a run folder half written) must not stick: the next request tries again.
      view.catch(() => this.views.get(runId) === view && this.views.delete(runId));
    }
    this.show([runId]);
    return view;
  }

  async promptFiles(runId: string): Promise<Array<{ file: string; agents: string[] }>> {
    // Imported trajectories came from elsewhere: no prompt file of this workspace produced them.
    if (runId.startsWith(IMPORT_ID_PREFIX)) return [];
    const dir = runDir(this.root(), runId);
    const optimizeManifest = await optimizeManifestOf(dir);
    const files = optimizeManifest ? await optimizePromptFiles(this.root(), optimizeManifest) : (await readManifest(dir)).prompts.files;
    return files.map((f) => ({ file: f.file, agents: f.agents }));
  }

  /** Forgets the named runs (all of them when `runIds` is empty). */
  invalidate(runIds: readonly string[]): void {
    if (runIds.length === 0) this.views.clear();
    const changed = new Set(runIds);
    for (const [id, subs] of this.subRuns) if ([...subs].some((s) => changed.has(s))) changed.add(id);
    for (const id of changed) this.views.delete(id);
  }

  private root(): string {
    if (this.workspaceRoot === undefined) throw new PanelLookupError('Open a local folder with a .truce/runs/ folder to see its runs.');
    return this.workspaceRoot;
  }

  private async load(runId: string): Promise<RunView> {
    if (runId.startsWith(IMPORT_ID_PREFIX)) return new RunView(await loadImportPanelRun(this.root(), runId));
    const dir = runDir(this.root(), runId);
    const optimizeManifest = await optimizeManifestOf(dir);
    if (optimizeManifest) {
      this.subRuns.set(runId, new Set(optimizeManifest.subRuns.map((s) => s.runId)));
      this.show(optimizeManifest.subRuns.map((s) => s.runId));
      return new RunView(await loadOptimizePanelRun(this.root(), dir, optimizeManifest));
    }
    const run = await loadRun(this.root(), runId);
    const extras = await readRunExtras(run.dir);
    return new RunView({ manifest: run.manifest, trajectories: run.trajectories, problems: run.problems, extras, rateable: run.manifest.attach !== undefined });
  }
}
