/**
 * Rows fetched from the host a page at a time as the user scrolls, kept once fetched. A page in
 * flight is not requested twice; `reset` forgets everything (the run changed on disk).
 */
import { pagesFor, type WindowRange } from './windowRange';

export interface Page<T> {
  offset: number;
  rows: T[];
  total: number;
}

export class PagedRows<T> {
  private readonly pages = new Map<number, T[]>();
  private readonly loading = new Set<number>();
  private generation = 0;
  total = 0;

  constructor(
    readonly pageSize: number,
    private readonly fetch: (offset: number, limit: number) => Promise<Page<T>>,
    private readonly onLoaded: () => void,
    private readonly onError: (error: Error) => void,
  ) {}

  get(index: number): T | undefined {
    const offset = Math.floor(index / this.pageSize) * this.pageSize;
    return this.pages.get(offset)?.[index - offset];
  }

  /** Starts loading every page the range touches that is neither loaded nor loading. */
  ensure(range: WindowRange): void {
    for (const offset of pagesFor(range, this.pageSize)) void this.load(offset);
  }

  /** Takes a page the caller fetched itself (the first page, or a page found `around` a row). */
  accept(page: Page<T>): void {
    this.total = page.total;
    this.pages.set(page.offset, page.rows);
  }

  reset(): void {
    this.generation++;
    this.pages.clear();
    this.loading.clear();
    this.total = 0;
  }

  private async load(offset: number): Promise<void> {
    if (this.pages.has(offset) || this.loading.has(offset)) return;
    this.loading.add(offset);
    const generation = this.generation;
    try {
      const page = await this.fetch(offset, this.pageSize);
      if (generation !== this.generation) return; // answered after a reset: stale
      this.accept(page);
      this.onLoaded();
    } catch (error) {
      if (generation === this.generation) this.onError(error as Error);
    } finally {
      if (generation === this.generation) this.loading.delete(offset);
    }
  }
}
