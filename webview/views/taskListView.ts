/** The run's tasks as a windowed list: outcome, split, size, shift; Enter or click opens a task. */
import type { TaskRow, TasksPage } from '../../src/shared/panelProtocol';
import { clear, h } from '../dom';
import { formatTokens, mistakeWords, outcomeMark, SHIFT_LABELS, SHIFT_WORDS } from '../format';
import type { HostChannel } from '../hostChannel';
import { PagedRows } from '../pagedRows';
import { VirtualList } from '../virtualList';

export const TASK_ROW_HEIGHT = 26;
const PAGE = 200;

export class TaskListView {
  readonly element: HTMLElement;
  private readonly summary = h('div', { class: 'task-summary', 'aria-live': 'polite' });
  private readonly list: VirtualList;
  private data: PagedRows<TaskRow> | undefined;

  constructor(
    private readonly channel: HostChannel,
    private readonly events: { open(taskId: string): void; scrolled(top: number): void; error(error: Error): void },
  ) {
    this.list = new VirtualList({
      label: 'Tasks of the run',
      rowHeight: TASK_ROW_HEIGHT,
      className: 'task-list',
      renderRow: (row, index) => this.renderRow(row, index),
      onRange: (range) => this.data?.ensure(range),
      onActivate: (index) => {
        const task = this.data?.get(index);
        if (task) this.events.open(task.taskId);
      },
      onScroll: (top) => this.events.scrolled(top),
      maxHeight: () => (document.body.classList.contains('full-view') ? Math.max(240, window.innerHeight * 0.45) : 240),
    });
    this.element = h('div', { class: 'task-view' }, this.summary, this.list.element);
  }

  /** Loads the run's first page (or the page holding `around`) and selects `around` if given. */
  async load(runId: string, around?: string, scrollTop?: number): Promise<void> {
    const data = new PagedRows<TaskRow>(
      PAGE,
      (offset, limit) => this.channel.request({ kind: 'tasks', runId, offset, limit }),
      () => this.list.refresh(),
      (error) => this.events.error(error),
    );
    this.data = data;
    const first: TasksPage = await this.channel.request({ kind: 'tasks', runId, offset: 0, limit: PAGE, ...(around ? { around } : {}) });
    if (this.data !== data) return;
    data.accept(first);
    this.renderSummary(first);
    this.list.setCount(first.total);
    if (scrollTop !== undefined) this.list.scrollTo(scrollTop);
    if (around) {
      const index = first.rows.findIndex((r) => r.taskId === around);
      if (index >= 0) this.list.select(first.offset + index);
    }
  }

  focus(): void {
    this.list.element.focus();
  }

  private renderSummary(page: TasksPage): void {
    clear(this.summary);
    const passed = page.rows.filter((r) => r.outcome?.success).length;
    this.summary.append(h('span', {}, `${page.total} tasks`));
    if (page.total <= page.rows.length) this.summary.append(h('span', { class: 'muted' }, ` · ${passed} passed`));
    if (page.shift) {
      const shifts = h('span', { class: 'shifts', role: 'group', 'aria-label': 'Outcome shift from the baseline to the optimized prompts' });
      for (const key of Object.keys(SHIFT_LABELS) as Array<keyof typeof SHIFT_LABELS>) {
        shifts.append(h('vscode-badge', { class: `shift shift-${key}`, title: SHIFT_WORDS[key], 'aria-label': `${page.shift[key]} ${SHIFT_WORDS[key]}` }, `${SHIFT_LABELS[key]} ${page.shift[key]}`));
      }
      this.summary.append(shifts);
    }
    if (page.problems.length) {
      this.summary.append(h('div', { class: 'problems', role: 'note', title: page.problems.join('\n') }, `⚠ ${page.problems.length} problem(s) reading this run: ${page.problems[0]}`));
    }
  }

  private renderRow(row: HTMLElement, index: number): void {
    const task = this.data?.get(index);
    clear(row);
    if (!task) {
      row.append(h('span', { class: 'muted' }, 'Loading…'));
      row.setAttribute('aria-label', `Task ${index + 1}, loading`);
      return;
    }
    const mark = outcomeMark(task);
    const outcomeWords = mark.words;
    const parts = [
      h('span', { class: `outcome ${mark.className}`, 'aria-hidden': 'true', title: mark.words }, mark.glyph),
      h('span', { class: 'task-id' }, task.taskId),
      task.split ? h('span', { class: `split split-${task.split}` }, task.split) : null,
      h('span', { class: 'muted size' }, `${task.steps} steps · ${formatTokens(task.tokens)} tok`),
      task.shift ? h('span', { class: `shift shift-${task.shift}`, title: SHIFT_WORDS[task.shift] }, SHIFT_LABELS[task.shift]) : null,
      task.mistake ? h('span', { class: 'mistake-badge', title: mistakeWords(task.mistake) }, '⚑ labelled') : null,
    ];
    row.append(...parts.filter((part): part is HTMLSpanElement => part !== null));
    row.setAttribute(
      'aria-label',
      `Task ${task.taskId}, ${task.split ?? 'no split'}, ${outcomeWords}, ${task.steps} steps${task.shift ? `, ${SHIFT_WORDS[task.shift]}` : ''}${task.mistake ? `, ${mistakeWords(task.mistake)}` : ''}`,
    );
    row.dataset.taskId = task.taskId;
  }
}
