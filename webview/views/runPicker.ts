/** The run picker: newest run first, each labelled with its id, state and size. */
import type { RunItem } from '../../src/shared/panelProtocol';
import { clear, h } from '../dom';

export class RunPicker {
  readonly element: HTMLElement;
  private readonly select: HTMLElement & { value: string };
  private readonly empty = h('p', { class: 'empty', hidden: true }, 'No runs yet in .truce/runs/. Run "TRUCE: Run MAS" (or `truce run`) and they appear here.');

  constructor(onPick: (runId: string) => void) {
    this.select = h('vscode-single-select', { 'aria-label': 'Run', class: 'run-select' }) as HTMLElement & { value: string };
    this.select.addEventListener('change', () => {
      if (this.select.value) onPick(this.select.value);
    });
    this.element = h('div', { class: 'run-picker' }, h('label', { class: 'run-label' }, 'Run'), this.select, this.empty);
  }

  setRuns(runs: RunItem[], selected: string | undefined): void {
    clear(this.select);
    for (const run of runs) {
      this.select.append(h('vscode-option', { value: run.runId, selected: run.runId === selected }, `${run.runId} · ${run.state} · ${run.tasks} tasks`));
    }
    this.empty.hidden = runs.length > 0;
    this.select.hidden = runs.length === 0;
    if (selected) this.select.value = selected;
  }
}
