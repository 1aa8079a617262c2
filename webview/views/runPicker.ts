/**
 * The run picker: newest run first, each labelled with its id, state and size. An optimize run
 * shows its method and val/test score before → after; the runs it started follow it, indented.
 * Files of imported trajectories come last, named by their file and trajectory count.
 */
import type { RunItem } from '../../src/shared/panelProtocol';
import { clear, h } from '../dom';
import { formatScore } from '../format';

export class RunPicker {
  readonly element: HTMLElement;
  private readonly select: HTMLElement & { value: string };
  private readonly empty = h('p', { class: 'empty', hidden: true }, 'No runs yet in .truce/runs/ and no imports in .truce/imports/. Run "TRUCE: Run MAS" (or `truce run`), or import trajectories with "TRUCE: Import Trajectories", and they appear here.');

  private runs: RunItem[] = [];

  constructor(onPick: (run: RunItem) => void) {
    this.select = h('vscode-single-select', { 'aria-label': 'Run', class: 'run-select' }) as HTMLElement & { value: string };
    this.select.addEventListener('change', () => {
      const run = this.runs.find((r) => r.runId === this.select.value);
      if (run) onPick(run);
    });
    this.element = h('div', { class: 'run-picker' }, h('label', { class: 'run-label' }, 'Run'), this.select, this.empty);
  }

  setRuns(runs: RunItem[], selected: string | undefined): void {
    this.runs = runs;
    clear(this.select);
    for (const run of runs) {
      this.select.append(h('vscode-option', { value: run.runId, selected: run.runId === selected }, runLabel(run)));
    }
    this.empty.hidden = runs.length > 0;
    this.select.hidden = runs.length === 0;
    if (selected) this.select.value = selected;
  }
}

export function runLabel(run: RunItem): string {
  const change = (name: string, scores: RunItem['val']) => (scores ? ` · ${name} ${formatScore(scores.before)}→${formatScore(scores.after)}` : '');
  if (run.kind === 'import') return `${run.runId.replace(/^import:/, '')} · imported · ${run.tasks} trajector${run.tasks === 1 ? 'y' : 'ies'}`;
  if (run.kind === 'optimize') return `${run.runId} · optimize ${run.method ?? ''} · ${run.state}${change('val', run.val)}${change('test', run.test)}`;
  const base = `${run.runId} · ${run.state} · ${run.tasks} tasks`;
  return run.parent ? `  ↳ ${run.parent.purpose} (round ${run.parent.round}) · ${base}` : base;
}
