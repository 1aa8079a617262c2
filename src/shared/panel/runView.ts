/**
 * One loaded run, ready to answer the panel's paged requests. Per-task work (the grid layout,
 * the credit index) is done on first use and kept, so scrolling a large task re-slices instead of
 * recomputing. A new RunView is made whenever the run's files change.
 */
import type { Trajectory } from '../../core/trajectory/schema';
import type { GraphResult, GridPage, HistoryPage, Request, Shift, StepDetail, TaskRow, TasksPage, TextPage } from '../panelProtocol';
import { attributionGraph } from './attributionGraph';
import { indexTaskCredit, signalsByTask, type TaskCredit } from './creditIndex';
import { historySuggestions, pageHistory } from './historyView';
import { findTrajectory, PanelLookupError, type PanelRun } from './panelRun';
import type { CreditSignalRecord, GraphRecord, InterventionNote } from './runExtrasSchema';
import { layoutGrid, pageGrid, type GridLayout } from './taskGrid';
import { buildTaskRows, countShifts, shiftsByTask, shiftsFromOutcomes } from './taskRows';
import { stepDetail, textPage } from './stepDetail';

export class RunView {
  readonly runId: string;
  private readonly byTask = new Map<string, Trajectory>();
  private readonly rows: TaskRow[];
  private readonly shifts: Map<string, Shift>;
  private readonly signals: Map<string, CreditSignalRecord[]>;
  private readonly graphs = new Map<string, GraphRecord[]>();
  private readonly layouts = new Map<string, GridLayout>();
  private readonly credit = new Map<string, TaskCredit>();
  private readonly interventions = new Map<string, InterventionNote>();

  constructor(private readonly run: PanelRun) {
    this.runId = run.manifest.runId;
    for (const t of run.trajectories) this.byTask.set(t.taskId, t);
    this.shifts = shiftsByTask(run.extras.optimize);
    if (run.outcomes) for (const [taskId, shift] of shiftsFromOutcomes(run.outcomes.before, run.outcomes.after)) this.shifts.set(taskId, shift);
    this.rows = buildTaskRows(run, this.byTask, this.shifts);
    this.signals = signalsByTask(run.extras.signals);
    for (const note of run.extras.interventions ?? []) this.interventions.set(`${note.taskId}\u0000${note.stepId}`, note);
    for (const g of run.extras.graphs) {
      const list = this.graphs.get(g.taskId);
      if (list) list.push(g);
      else this.graphs.set(g.taskId, [g]);
    }
  }

  tasks(offset: number, limit: number, around?: string): TasksPage {
    if (around !== undefined) {
      const index = this.rows.findIndex((r) => r.taskId === around);
      if (index < 0) throw new PanelLookupError(`Run ${this.runId} has no task "${around}".`);
      offset = Math.floor(index / limit) * limit;
    }
    return {
      runId: this.runId,
      offset,
      total: this.rows.length,
      rows: this.rows.slice(offset, offset + limit),
      shift: this.shifts.size > 0 ? countShifts(this.shifts.values()) : null,
      problems: [...this.run.problems, ...this.run.extras.problems].slice(0, 20),
    };
  }

  grid(taskId: string, offset: number, limit: number): GridPage {
    const trajectory = findTrajectory(this.byTask, this.runId, taskId);
    const page = pageGrid(this.runId, trajectory, this.layout(trajectory), this.taskCredit(taskId), offset, limit);
    if (!this.run.rateable) return page;
    const verdict = trajectory.outcome?.details.source === 'user' ? trajectory.outcome.details.verdict : undefined;
    return { ...page, rateable: true, verdict: verdict === 'up' || verdict === 'down' ? verdict : null };
  }

  step(taskId: string, stepId: string): StepDetail {
    const trajectory = findTrajectory(this.byTask, this.runId, taskId);
    return stepDetail(this.runId, trajectory, stepId, this.taskCredit(taskId), this.layout(trajectory).rounds, this.interventions.get(`${taskId}\u0000${stepId}`));
  }

  text(request: Extract<Request, { kind: 'text' }>): TextPage {
    return textPage(findTrajectory(this.byTask, this.runId, request.taskId), request.stepId, request.part, request.offset, request.length);
  }

  history(offset: number, limit: number): HistoryPage {
    const { optimize, suggestions } = this.run.extras;
    return pageHistory(this.runId, optimize, suggestions, historySuggestions(optimize, suggestions), offset, limit);
  }

  graph(taskId: string): GraphResult {
    const graph = attributionGraph(this.byTask.get(taskId), this.graphs.get(taskId) ?? [], this.taskCredit(taskId).edges);
    return { runId: this.runId, taskId, graph };
  }

  private layout(trajectory: Trajectory): GridLayout {
    let layout = this.layouts.get(trajectory.taskId);
    if (!layout) this.layouts.set(trajectory.taskId, (layout = layoutGrid(trajectory)));
    return layout;
  }

  private taskCredit(taskId: string): TaskCredit {
    let credit = this.credit.get(taskId);
    if (!credit) this.credit.set(taskId, (credit = indexTaskCredit(this.signals.get(taskId) ?? [])));
    return credit;
  }
}

/** Answers every request kind that reads one run (all but 'runs' and 'rate', which writes). */
export function answerRunRequest(view: RunView, request: Exclude<Request, { kind: 'runs' | 'rate' }>): unknown {
  switch (request.kind) {
    case 'tasks':
      return view.tasks(request.offset, request.limit, request.around);
    case 'grid':
      return view.grid(request.taskId, request.offset, request.limit);
    case 'step':
      return view.step(request.taskId, request.stepId);
    case 'text':
      return view.text(request);
    case 'history':
      return view.history(request.offset, request.limit);
    case 'graph':
      return view.graph(request.taskId);
  }
}
