/**
 * A windowed list: a scroll container whose inner spacer is as tall as all rows, with only the
 * rows in view (plus a few) present as elements, positioned by transform. Keyboard: arrows,
 * Page Up/Down, Home/End move the selection, Enter activates; the container keeps focus and
 * points at the selected row with aria-activedescendant, so a screen reader follows the
 * selection even though most rows do not exist in the DOM.
 */
import { h } from './dom';
import { nextIndex, scrollToReveal, windowRange, type WindowRange } from './windowRange';

export interface VirtualListOptions {
  /** Accessible name of the list. */
  label: string;
  rowHeight: number;
  /** Fills a row element for index `i` (the element is recycled: set everything every time). */
  renderRow(row: HTMLElement, index: number): void;
  /** Called with the rows about to be shown, so their data can be fetched. */
  onRange?(range: WindowRange): void;
  onSelect?(index: number): void;
  onActivate?(index: number): void;
  onScroll?(scrollTop: number): void;
  /** A key the owner handles itself (a grid's left/right); return true to stop the list's own handling. */
  onKey?(event: KeyboardEvent): boolean;
  className?: string;
  /** ARIA roles: a list of options by default; a grid passes 'grid' and 'row'. */
  role?: string;
  rowRole?: string;
  /** When set, the list is only as tall as its rows, up to this many pixels (a short task gets no empty box). */
  maxHeight?(): number;
}

let listCounter = 0;

export class VirtualList {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rows = new Map<number, HTMLElement>();
  private readonly idPrefix = `vl${++listCounter}`;
  private count = 0;
  private selected = -1;
  private frame = 0;

  constructor(private readonly options: VirtualListOptions) {
    this.spacer = h('div', { class: 'vl-spacer' });
    this.element = h('div', { class: `vl ${options.className ?? ''}`, role: options.role ?? 'listbox', tabindex: 0, 'aria-label': options.label }, this.spacer);
    this.element.addEventListener('scroll', () => {
      this.schedule();
      this.options.onScroll?.(this.element.scrollTop);
    });
    this.element.addEventListener('keydown', (event) => this.onKey(event));
    this.element.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
      if (!row) return;
      const index = Number(row.dataset.index);
      this.select(index, false);
      this.options.onActivate?.(index);
    });
    // The viewport height is only known once laid out, and changes with the side bar's size.
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  get length(): number {
    return this.count;
  }

  get selectedIndex(): number {
    return this.selected;
  }

  setCount(count: number): void {
    this.count = count;
    this.spacer.style.height = `${count * this.options.rowHeight}px`;
    if (this.options.maxHeight) {
      // +2 for the border; at least one row so "empty" still shows as a list.
      this.element.style.height = `${Math.min(Math.max(1, count) * this.options.rowHeight + 2, this.options.maxHeight())}px`;
    }
    if ((this.options.rowRole ?? 'option') === 'option') this.element.setAttribute('aria-setsize', String(count));
    else this.element.setAttribute('aria-rowcount', String(count + 1));
    if (this.selected >= count) this.selected = -1;
    this.render();
  }

  /** Re-renders the rows in view (their data arrived or changed). */
  refresh(): void {
    for (const [index, row] of this.rows) this.fill(row, index);
  }

  select(index: number, reveal = true): void {
    if (index < 0 || index >= this.count) return;
    this.selected = index;
    if (reveal) {
      this.element.scrollTop = scrollToReveal(index, this.element.scrollTop, this.element.clientHeight, this.options.rowHeight);
    }
    this.render();
    if ((this.options.rowRole ?? 'option') === 'option') this.element.setAttribute('aria-activedescendant', `${this.idPrefix}-${index}`);
    this.options.onSelect?.(index);
  }

  scrollTo(scrollTop: number): void {
    this.element.scrollTop = scrollTop;
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const range = windowRange(this.element.scrollTop, this.element.clientHeight || 400, this.options.rowHeight, this.count);
    this.options.onRange?.(range);
    for (const [index, row] of this.rows) {
      if (index < range.start || index >= range.end) {
        row.remove();
        this.rows.delete(index);
      }
    }
    for (let index = range.start; index < range.end; index++) {
      let row = this.rows.get(index);
      if (!row) {
        row = h('div', { class: 'vl-row', role: this.options.rowRole ?? 'option' });
        this.rows.set(index, row);
        this.spacer.append(row);
      }
      this.fill(row, index);
    }
  }

  private fill(row: HTMLElement, index: number): void {
    row.id = `${this.idPrefix}-${index}`;
    row.dataset.index = String(index);
    row.style.transform = `translateY(${index * this.options.rowHeight}px)`;
    row.style.height = `${this.options.rowHeight}px`;
    if ((this.options.rowRole ?? 'option') === 'option') {
      row.setAttribute('aria-posinset', String(index + 1));
      row.setAttribute('aria-setsize', String(this.count));
      row.setAttribute('aria-selected', String(index === this.selected));
    } else {
      row.setAttribute('aria-rowindex', String(index + 2)); // row 1 is the column header
    }
    row.classList.toggle('selected', index === this.selected);
    this.options.renderRow(row, index);
  }

  private onKey(event: KeyboardEvent): void {
    if (this.options.onKey?.(event)) return;
    if (event.key === 'Enter' || event.key === ' ') {
      if (this.selected >= 0) {
        event.preventDefault();
        this.options.onActivate?.(this.selected);
      }
      return;
    }
    const pageRows = Math.floor(this.element.clientHeight / this.options.rowHeight);
    const next = nextIndex(event.key, Math.max(0, this.selected), this.count, pageRows);
    if (next === undefined) return;
    event.preventDefault();
    this.select(this.selected < 0 && event.key === 'ArrowDown' ? 0 : next);
  }
}
