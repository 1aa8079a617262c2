/**
 * A task's rounds × agents grid, windowed by round. Cells are coloured by credit and name their
 * steps and tokens; arrow keys move between cells (the grid keeps focus and points at the active
 * cell with aria-activedescendant), Enter or a click opens the cell's steps.
 */
import type { GridPage, GridRow } from '../../src/shared/panelProtocol';
import { creditClass, creditWords } from '../creditScale';
import { clear, h, s } from '../dom';
import { formatScore, formatTokens, mistakeWords } from '../format';
import type { HostChannel } from '../hostChannel';
import { PagedRows } from '../pagedRows';
import { VirtualList } from '../virtualList';

export const GRID_ROW_HEIGHT = 46;
const PAGE = 100;

export class GridView {
  readonly element: HTMLElement;
  private readonly title = h('div', { class: 'grid-title' });
  private readonly header = h('div', { class: 'grid-header', role: 'row', 'aria-rowindex': 1 });
  private readonly list: VirtualList;
  private data: PagedRows<GridRow> | undefined;
  private agents: GridPage['agents'] = [];
  private mistake: GridPage['mistake'] = null;
  private column = 0;
  private taskId = '';

  constructor(
    private readonly channel: HostChannel,
    private readonly events: { openCell(stepIds: string[]): void; scrolled(top: number): void; error(error: Error): void },
  ) {
    this.list = new VirtualList({
      label: 'Rounds by agents',
      rowHeight: GRID_ROW_HEIGHT,
      className: 'grid-body',
      role: 'grid',
      rowRole: 'row',
      renderRow: (row, index) => this.renderRow(row, index),
      onRange: (range) => this.data?.ensure(range),
      onSelect: () => this.markActive(),
      onActivate: () => this.openActive(),
      onScroll: (top) => {
        this.header.scrollLeft = this.list.element.scrollLeft;
        this.events.scrolled(top);
      },
      onKey: (event) => this.onKey(event),
      maxHeight: () => (document.body.classList.contains('full-view') ? Math.max(300, window.innerHeight * 0.46) : 300),
    });
    this.list.element.addEventListener('click', (event) => {
      const cell = (event.target as HTMLElement).closest<HTMLElement>('[data-col]');
      if (cell) this.column = Number(cell.dataset.col);
    }, { capture: true });
    this.element = h('div', { class: 'grid-view' }, this.title, h('div', { class: 'grid-frame' }, this.header, this.list.element));
  }

  async load(runId: string, taskId: string, focusRow?: number, scrollTop?: number): Promise<void> {
    this.taskId = taskId;
    const data = new PagedRows<GridRow>(
      PAGE,
      async (offset, limit) => {
        const page = await this.channel.request({ kind: 'grid', runId, taskId, offset, limit });
        return { offset: page.offset, rows: page.rows, total: page.totalRounds };
      },
      () => this.list.refresh(),
      (error) => this.events.error(error),
    );
    this.data = data;
    const first = await this.channel.request({ kind: 'grid', runId, taskId, offset: 0, limit: PAGE });
    if (this.data !== data) return;
    data.accept({ offset: 0, rows: first.rows, total: first.totalRounds });
    this.agents = first.agents;
    this.mistake = first.mistake;
    this.column = 0;
    this.renderTitle(first);
    this.renderHeader();
    this.list.element.style.setProperty('--cols', String(this.agents.length));
    this.header.style.setProperty('--cols', String(this.agents.length));
    this.list.element.setAttribute('aria-colcount', String(this.agents.length + 1));
    this.list.element.setAttribute('aria-label', `Task ${taskId}: ${first.totalRounds} rounds by ${this.agents.length} agents, coloured by credit`);
    this.list.setCount(first.totalRounds);
    if (scrollTop !== undefined) this.list.scrollTo(scrollTop);
    if (focusRow !== undefined) this.list.select(focusRow);
  }

  /** Selects the cell that holds `stepId` in row `rowIndex` (a focus from outside the panel). */
  selectStep(rowIndex: number, agentId: string): void {
    const col = this.agents.findIndex((a) => a.id === agentId);
    if (col >= 0) this.column = col;
    this.list.select(rowIndex);
  }

  focus(): void {
    this.list.element.focus();
  }

  private renderTitle(page: GridPage): void {
    clear(this.title);
    const outcome = page.outcome ? `${page.outcome.success ? '✓ passed' : '✗ failed'} · score ${formatScore(page.outcome.score)}` : 'no outcome';
    this.title.append(h('strong', {}, page.taskId), h('span', { class: 'muted outcome-text' }, ` · ${page.totalRounds} rounds · ${outcome}`));
    if (page.rateable) this.title.append(this.verdictButtons(page));
    if (page.input) this.title.append(h('div', { class: 'task-input', title: page.input }, page.input));
    if (page.mistake) this.title.append(h('div', { class: 'grid-mistake', title: page.mistake.reason ?? '' }, `⚑ ${mistakeWords(page.mistake)}`));
  }

  /**
   * Thumbs up and down for a task of an attached run: the user's verdict is its score (1 or 0).
   * Pressing the pressed one again takes the verdict back.
   */
  private verdictButtons(page: GridPage): HTMLElement {
    let verdict = page.verdict ?? null;
    const make = (value: 'up' | 'down', words: string) =>
      h('button', { class: `verdict verdict-${value}`, type: 'button', 'data-verdict': value, title: `${words} (score ${value === 'up' ? 1 : 0}); press again to take it back`, 'aria-label': words }, thumbIcon(value));
    const up = make('up', 'Good answer');
    const down = make('down', 'Bad answer');
    const show = () => {
      up.setAttribute('aria-pressed', String(verdict === 'up'));
      down.setAttribute('aria-pressed', String(verdict === 'down'));
    };
    show();
    const group = h('span', { class: 'verdicts', role: 'group', 'aria-label': 'Your verdict on this answer' }, up, down);
    group.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-verdict]');
      if (!button) return;
      const pressed = button.dataset.verdict as 'up' | 'down';
      const next = verdict === pressed ? null : pressed;
      up.disabled = down.disabled = true;
      this.channel
        .request({ kind: 'rate', runId: page.runId, taskId: page.taskId, verdict: next })
        .then((result) => {
          verdict = result.verdict;
          show();
          const text = this.title.querySelector('.outcome-text');
          const o = result.outcome;
          if (text) text.textContent = ` · ${page.totalRounds} rounds · ${o ? `${o.success ? '✓ passed' : '✗ failed'} · score ${formatScore(o.score)}` : 'no outcome'}`;
        })
        .catch((error: Error) => this.events.error(error))
        .finally(() => (up.disabled = down.disabled = false));
    });
    return group;
  }

  private renderHeader(): void {
    clear(this.header);
    this.header.append(h('div', { class: 'grid-corner', role: 'columnheader' }, 'Round'));
    for (const agent of this.agents) {
      const blamed = this.mistake?.agentId === agent.id;
      const title = `${agent.label}${agent.kind ? ` (${agent.kind})` : ''}${blamed ? ' — labelled mistake agent' : ''}`;
      this.header.append(h('div', { class: `grid-col-head${blamed ? ' labelled' : ''}`, role: 'columnheader', title }, blamed ? `⚑ ${agent.label}` : agent.label));
    }
  }

  private renderRow(row: HTMLElement, index: number): void {
    clear(row);
    row.classList.add('grid-row');
    const data = this.data?.get(index);
    if (!data) {
      row.append(h('div', { class: 'grid-round muted', role: 'rowheader' }, '…'));
      return;
    }
    row.append(
      h('div', { class: `grid-round ${creditClass(data.credit)}`, role: 'rowheader', title: `Round ${data.round}: ${creditWords(data.credit)}` }, `R${data.round}`),
    );
    data.cells.forEach((cell, col) => {
      const agent = this.agents[col];
      const active = index === this.list.selectedIndex && col === this.column;
      const blamed = this.mistake?.stepId != null && cell.stepIds.includes(this.mistake.stepId);
      const label = cell.stepIds.length
        ? `Round ${data.round}, ${agent?.label}: ${cell.stepIds.length} step(s) ${cell.stepIds.join(', ')}, ${cell.tokens} tokens, ${creditWords(cell.credit)}${blamed ? `, holds the labelled mistake step ${this.mistake?.stepId}` : ''}`
        : `Round ${data.round}, ${agent?.label}: no steps`;
      row.append(
        h(
          'div',
          {
            class: `grid-cell ${creditClass(cell.credit)}${active ? ' active' : ''}${cell.stepIds.length ? '' : ' empty'}${blamed ? ' labelled' : ''}`,
            role: 'gridcell',
            id: `grid-${index}-${col}`,
            'data-col': col,
            'aria-colindex': col + 2,
            'aria-selected': active ? 'true' : 'false',
            'aria-label': label,
            title: cell.creditText ?? label,
          },
          cell.stepIds.length ? h('div', { class: 'cell-steps' }, blamed ? `⚑ ${cell.stepIds.join(', ')}` : cell.stepIds.join(', ')) : null,
          cell.stepIds.length ? h('div', { class: 'cell-meta' }, `${formatTokens(cell.tokens)} tok${cell.credit === null ? '' : ` · ${cell.credit > 0 ? '+' : ''}${cell.credit.toFixed(2)}`}`) : null,
        ),
      );
    });
  }

  private markActive(): void {
    const index = this.list.selectedIndex;
    if (index >= 0) this.list.element.setAttribute('aria-activedescendant', `grid-${index}-${this.column}`);
  }

  private openActive(): void {
    const row = this.data?.get(this.list.selectedIndex);
    const cell = row?.cells[this.column];
    if (cell && cell.stepIds.length) this.events.openCell(cell.stepIds);
  }

  private onKey(event: KeyboardEvent): boolean {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return false;
    event.preventDefault();
    const last = Math.max(0, this.agents.length - 1);
    this.column = Math.max(0, Math.min(last, this.column + (event.key === 'ArrowRight' ? 1 : -1)));
    this.list.select(Math.max(0, this.list.selectedIndex));
    return true;
  }

  get currentTask(): string {
    return this.taskId;
  }
}

/**
 * A thumb drawn in the theme's text colour (an emoji depends on the fonts of the machine, and a
 * webview has no codicons of its own). Down is up turned over.
 */
function thumbIcon(direction: 'up' | 'down'): SVGElement {
  const hand = 'M5 7 L8 1.6 C8.5 0.7 10 1 10 2.2 L9.6 6 H14 C14.9 6 15.5 6.8 15.3 7.6 L13.9 13.8 C13.7 14.5 13.1 15 12.4 15 H5 Z';
  return s(
    'svg',
    { class: 'thumb', viewBox: '0 0 16 16', width: 14, height: 14, 'aria-hidden': 'true', focusable: 'false' },
    s('g', direction === 'down' ? { transform: 'rotate(180 8 8)' } : {}, s('rect', { x: 1, y: 7, width: 3, height: 8, rx: 0.5 }), s('path', { d: hand })),
  );
}
