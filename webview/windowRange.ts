/**
 * Which rows of a fixed-row-height list are in (or near) view. Only those are in the DOM, which
 * is what keeps a list of ten thousand rows as cheap to scroll as a list of twenty.
 */
export interface WindowRange {
  /** First row to render (inclusive). */
  start: number;
  /** Row after the last one to render (exclusive). */
  end: number;
}

export function windowRange(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan = 6): WindowRange {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count - 1, first - overscan));
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}

/** The scrollTop that brings `index` into view with as little movement as possible (or none). */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/** Page offsets (multiples of pageSize) needed to cover rows [start, end). */
export function pagesFor(range: WindowRange, pageSize: number): number[] {
  if (range.end <= range.start) return [];
  const pages: number[] = [];
  for (let p = Math.floor(range.start / pageSize) * pageSize; p < range.end; p += pageSize) pages.push(p);
  return pages;
}

/** The next index for a navigation key in a list of `count` rows; undefined for other keys. */
export function nextIndex(key: string, index: number, count: number, pageRows: number): number | undefined {
  if (count <= 0) return undefined;
  const clamp = (i: number) => Math.max(0, Math.min(count - 1, i));
  switch (key) {
    case 'ArrowDown':
      return clamp(index + 1);
    case 'ArrowUp':
      return clamp(index - 1);
    case 'PageDown':
      return clamp(index + Math.max(1, pageRows));
    case 'PageUp':
      return clamp(index - Math.max(1, pageRows));
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}
