/**
 * The trajectory panel's entry point: builds the views, performs the `ready` handshake and moves
 * between run, task and step as the user (or the host, with a focus) asks. It remembers only UI
 * state (where the user was, how far they scrolled) through getState/setState.
 */
import './panel.css';
import './elements';
import type { Focus } from '../src/shared/panelProtocol';
import { h } from './dom';
import { HostChannel, type Push } from './hostChannel';
import { readUiState, type UiState } from './uiState';
import { GraphView } from './views/graphView';
import { GridView } from './views/gridView';
import { HistoryView } from './views/historyView';
import { RunPicker } from './views/runPicker';
import { StepView } from './views/stepView';
import { TaskListView } from './views/taskListView';

class App {
  private readonly channel = new HostChannel((message) => void this.onPush(message));
  private state: UiState = readUiState(this.channel.api.getState());
  private readonly status = h('div', { class: 'panel-status', role: 'alert', hidden: true });
  private readonly picker = new RunPicker((run) => {
    this.arrange(run.kind === 'optimize');
    void this.guard(this.openRun(run.runId));
  });
  private readonly tasks = new TaskListView(this.channel, {
    open: (taskId) => void this.guard(this.openTask(taskId)),
    scrolled: (top) => this.save({ taskScroll: top }),
    error: (error) => this.fail(error),
  });
  private readonly grid = new GridView(this.channel, {
    openCell: (stepIds) => void this.guard(this.openCell(stepIds)),
    scrolled: (top) => this.save({ gridScroll: top }),
    error: (error) => this.fail(error),
  });
  private readonly step = new StepView(this.channel, {
    openStep: (stepId) => void this.guard(this.openStep(stepId)),
    error: (error) => this.fail(error),
  });
  private readonly graph = new GraphView({
    openStep: (stepId) => {
      void this.guard(this.openStep(stepId));
      return true;
    },
  });
  private readonly history = new HistoryView(this.channel, { error: (error) => this.fail(error) });
  private readonly tasksSection = h('section', { class: 'tasks-section', 'aria-label': 'Tasks' }, this.tasks.element);
  private readonly columns = h('div', { class: 'columns' });
  private readonly taskSection = h('section', { class: 'task-section', hidden: true, 'aria-label': 'Task' }, this.grid.element, this.graph.element, this.step.element);

  mount(root: HTMLElement): void {
    const openInEditor = h('vscode-button', { class: 'open-editor', secondary: true, title: 'Open this panel in the editor area (more room for large runs)' }, 'Open in editor');
    openInEditor.addEventListener('click', () => this.channel.send({ type: 'openInEditor', focus: this.focusNow() }));
    root.append(
      h('header', { class: 'panel-header' }, this.picker.element, document.body.classList.contains('full-view') ? null : openInEditor),
      this.status,
      // Reading order (and tab order): tasks, the open task, then the run's history. The full
      // view lays the same three out as columns with CSS grid areas.
      this.columns,
    );
    this.arrange(false);
    root.removeAttribute('aria-busy');
    this.channel.send({ type: 'ready' });
  }

  private async onPush(message: Push): Promise<void> {
    switch (message.type) {
      case 'init':
        await this.guard(this.goTo(message.focus ?? (this.state.runId ? { runId: this.state.runId, taskId: this.state.taskId, stepId: this.state.stepId } : null), !message.focus));
        return;
      case 'focus':
        await this.guard(this.goTo(message.focus, false));
        return;
      case 'runsChanged': {
        const current = this.state.runId;
        const runs = await this.channel.request({ kind: 'runs' });
        this.picker.setRuns(runs.runs, current);
        if (current && (message.runIds.length === 0 || message.runIds.includes(current))) {
          // The open task is read when the refresh gets to it, not now: a task the user opens while
          // the refresh waits for the run list must stay open (a live run refreshes several times a
          // second, and a refresh that began before the click closed the task it opened).
          await this.guard(this.goTo(() => ({ runId: current, taskId: this.state.taskId, stepId: this.state.stepId }), true));
        }
        return;
      }
    }
  }

  /**
   * Opens a place; `restoreScroll` puts the lists back where the user left them. A refresh passes
   * the place as a function, read once the run list has arrived.
   */
  private async goTo(place: Focus | null | (() => Focus | null), restoreScroll: boolean): Promise<void> {
    const { runs } = await this.channel.request({ kind: 'runs' });
    const focus = typeof place === 'function' ? place() : place;
    const runId = focus?.runId && runs.some((r) => r.runId === focus.runId) ? focus.runId : runs[0]?.runId;
    this.picker.setRuns(runs, runId);
    if (!runId) {
      this.taskSection.hidden = true;
      return;
    }
    if (focus?.runId && focus.runId !== runId) this.fail(new Error(`Run ${focus.runId} is not in .truce/runs/ (any more); showing the newest run.`));
    const taskId = runId === focus?.runId ? focus.taskId : undefined;
    this.arrange(runs.find((r) => r.runId === runId)?.kind === 'optimize');
    await this.openRun(runId, taskId, restoreScroll ? this.state.taskScroll : undefined);
    // Unless the user opened another task while the run's lists loaded.
    if (taskId && this.state.taskId === taskId) await this.openTask(taskId, runId === focus?.runId ? focus.stepId : undefined, restoreScroll ? this.state.gridScroll : undefined);
  }

  /** An optimize run opens on its history (first in reading order); other runs on their tasks. */
  private arrange(optimize: boolean): void {
    const order = optimize ? [this.history.element, this.tasksSection, this.taskSection] : [this.tasksSection, this.taskSection, this.history.element];
    this.columns.append(...order);
    this.columns.classList.toggle('optimize-run', optimize);
  }

  private async openRun(runId: string, aroundTask?: string, taskScroll?: number): Promise<void> {
    this.status.hidden = true;
    // The task the run opens around stays in the state while the lists load: a live run pushes
    // runsChanged several times a second, and a second refresh that read an emptied state would
    // reopen the run without the user's task and leave its section hidden.
    const sameTask = aroundTask !== undefined && runId === this.state.runId && aroundTask === this.state.taskId;
    this.save({ runId, taskId: aroundTask, stepId: sameTask ? this.state.stepId : undefined });
    if (!sameTask) {
      this.taskSection.hidden = true;
      this.step.clear();
    }
    await Promise.all([this.tasks.load(runId, aroundTask, taskScroll), this.history.load(runId)]);
  }

  private async openTask(taskId: string, stepId?: string, gridScroll?: number): Promise<void> {
    const runId = this.state.runId;
    if (!runId) return;
    this.save({ taskId, stepId: undefined });
    this.taskSection.hidden = false;
    this.step.clear();
    const [, graph] = await Promise.all([this.grid.load(runId, taskId, undefined, gridScroll), this.channel.request({ kind: 'graph', runId, taskId })]);
    this.graph.render(graph.graph);
    if (stepId) {
      this.step.setCellSteps([]);
      const detail = await this.openStep(stepId);
      if (detail) this.grid.selectStep(detail.gridRow, detail.agentId);
    }
  }

  private async openCell(stepIds: string[]): Promise<void> {
    this.step.setCellSteps(stepIds);
    if (stepIds[0]) await this.openStep(stepIds[0]);
  }

  private async openStep(stepId: string) {
    const { runId, taskId } = this.state;
    if (!runId || !taskId) return undefined;
    this.save({ stepId });
    const detail = await this.step.load(runId, taskId, stepId);
    this.step.element.scrollIntoView({ block: 'nearest' });
    return detail;
  }

  private focusNow(): Focus | null {
    const { runId, taskId, stepId } = this.state;
    return runId ? { runId, ...(taskId ? { taskId } : {}), ...(stepId ? { stepId } : {}) } : null;
  }

  private save(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
    this.channel.api.setState(this.state);
  }

  private async guard(work: Promise<unknown>): Promise<void> {
    try {
      await work;
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    this.status.hidden = false;
    this.status.textContent = error.message;
  }
}

new App().mount(document.getElementById('app') as HTMLElement);
