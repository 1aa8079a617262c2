/**
 * Message-flow edges recovered from text: a step read an earlier step when that step's output shows
 * up in what this step was given. This is the only evidence of data flow a trace has when agents
 * talk through a shared context rather than through explicit calls.
 *
 * Cost. The plain way — for every step, search its input for each of the `lookBack` earlier probes —
 * scans every input `lookBack` times (64 by default), which made this the slowest part of importing
 * a long OTLP trace. Here the probes in the window are indexed by hashed pieces, and each input is
 * only sampled (see readsByContent). A hash is only a filter: every edge is confirmed by an exact
 * comparison, and the sampling provably meets every occurrence, so the edges are exactly those of
 * the plain search.
 */

export interface TextFlowOptions {
  /** Outputs shorter than this ("ok", "2025", "{}") appear everywhere by chance and are ignored. */
  minLength?: number;
  /**
   * Only this many leading characters of an output are looked for: long outputs are often quoted
   * truncated or lightly edited, while their opening survives.
   */
  probeLength?: number;
  /** How many earlier steps are examined, nearest first; bounds the cost on very long traces. */
  lookBack?: number;
}

/**
 * Collapses whitespace runs to one space and trims. Only runs that change are matched (two or more
 * whitespace characters, or one that is not a plain space): matching every single space between
 * words, as `/\s+/g` does, costs a replacement per word for the same result.
 */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s{2,}|[^\S ]/g, ' ').trim();
}

/**
 * Characters per hashed piece (a "shingle"). Probes shorter than this (only when minLength is set
 * lower) are searched for directly.
 */
const SHINGLE = 16;
const BASE = 31;

/**
 * The probes of the look-back window, indexed by the hash of the shingle at every offset, so that a
 * probe is recognised from any piece of it. A chained hash table in typed arrays: a long trace adds
 * millions of entries, and Map buckets made adding them cost more than the search saved. Entries are
 * never removed one by one; lookups skip probes that left the window, and the table is rebuilt from
 * the window once it holds as many probes again as the window does.
 */
class ProbeIndex {
  private readonly heads: Int32Array;
  private readonly mask: number;
  private keys: Int32Array = new Int32Array(1 << 14);
  private steps: Int32Array = new Int32Array(1 << 14);
  private offsets: Int32Array = new Int32Array(1 << 14);
  private next: Int32Array = new Int32Array(1 << 14);
  private size = 0;
  /** Probes added since the last rebuild. */
  added = 0;

  constructor(bits: number) {
    this.heads = new Int32Array(1 << bits).fill(-1);
    this.mask = (1 << bits) - 1;
  }

  clear(): void {
    this.heads.fill(-1);
    this.size = 0;
    this.added = 0;
  }

  add(j: number, probe: string): void {
    const count = probe.length - SHINGLE + 1;
    if (this.size + count > this.keys.length) this.grow(this.size + count);
    let h = 0;
    for (let k = 0; k < SHINGLE; k++) h = (Math.imul(h, BASE) + probe.charCodeAt(k)) | 0;
    for (let offset = 0; ; offset++) {
      const e = this.size++;
      const slot = h & this.mask;
      this.keys[e] = h;
      this.steps[e] = j;
      this.offsets[e] = offset;
      this.next[e] = this.heads[slot] as number;
      this.heads[slot] = e;
      if (offset + SHINGLE >= probe.length) break;
      h = (Math.imul(h, BASE) - Math.imul(probe.charCodeAt(offset), BASE_POW) + probe.charCodeAt(offset + SHINGLE)) | 0;
    }
    this.added += 1;
  }

  private grow(needed: number): void {
    let capacity = this.keys.length;
    while (capacity < needed) capacity *= 2;
    const copy = (from: Int32Array): Int32Array => {
      const to = new Int32Array(capacity);
      to.set(from.subarray(0, this.size));
      return to;
    };
    this.keys = copy(this.keys);
    this.steps = copy(this.steps);
    this.offsets = copy(this.offsets);
    this.next = copy(this.next);
  }

  /**
   * Calls `found(j, offset)` for every entry of a probe from step `firstLive` on whose shingle has
   * hash `h` (equal hashes are candidates only; the caller compares the text).
   */
  lookup(h: number, firstLive: number, found: (j: number, offset: number) => void): void {
    for (let e = this.heads[h & this.mask] as number; e >= 0; e = this.next[e] as number) {
      if (this.keys[e] === h && (this.steps[e] as number) >= firstLive) found(this.steps[e] as number, this.offsets[e] as number);
    }
  }
}

/** BASE^SHINGLE mod 2^32, to drop the character leaving a rolling window. */
const BASE_POW = (() => {
  let p = 1;
  for (let k = 0; k < SHINGLE; k++) p = Math.imul(p, BASE);
  return p;
})();

function shingleHash(text: string, from: number): number {
  let h = 0;
  for (let k = from; k < from + SHINGLE; k++) h = (Math.imul(h, BASE) + text.charCodeAt(k)) | 0;
  return h;
}

/**
 * For each step, the indexes of earlier steps whose output (whitespace-normalised) appears in its
 * input. When several earlier steps produced the same text, only the most recent one counts: that
 * is the copy the reader most plausibly saw.
 *
 * How an input is searched: every probe in the window is at least `shortest` characters long, so an
 * occurrence of it starts `shortest - SHINGLE + 1` or more consecutive shingles of the input, and
 * among that many consecutive positions one is a multiple of the sampling step: sampling the input's
 * shingles at 0, step, 2 × step, … lands inside every occurrence. Each sampled shingle
 * is looked up in the index; each probe it names is compared exactly where it would have to start.
 * With the default 200-character probes, one shingle in ~190 is hashed.
 */
export function readsByContent(steps: ReadonlyArray<{ input: string; output: string }>, options: TextFlowOptions = {}): number[][] {
  const minLength = options.minLength ?? 24;
  const probeLength = options.probeLength ?? 200;
  const lookBack = Math.floor(options.lookBack ?? 64);
  // Nothing earlier is examined (and the sliding window below assumes it holds at least one step).
  if (!(lookBack >= 1)) return steps.map(() => []);
  const probes = steps.map((s) => {
    const n = normalizeWhitespace(s.output);
    return n.length >= minLength ? n.slice(0, probeLength) : undefined;
  });
  // 2^16 chains for a window of 64 probes of up to ~185 shingles each: short chains, a cheap rebuild.
  const index = new ProbeIndex(16);
  /** Window steps with a probe of at least SHINGLE characters, and those with a shorter one. */
  const hashed = new Set<number>();
  const short = new Set<number>();

  const result: number[][] = [];
  const hits = new Set<number>();
  let haystack = '';
  let sampleAt = 0;
  const onCandidate = (j: number, offset: number): void => {
    const start = sampleAt - offset;
    if (start >= 0 && !hits.has(j) && haystack.startsWith(probes[j] as string, start)) hits.add(j);
  };
  for (let i = 0; i < steps.length; i++) {
    // Slide the window to [i - lookBack, i - 1].
    const entering = i - 1;
    const leaving = i - lookBack - 1;
    if (leaving >= 0 && probes[leaving] !== undefined) {
      hashed.delete(leaving);
      short.delete(leaving);
    }
    if (entering >= 0 && probes[entering] !== undefined) {
      const probe = probes[entering] as string;
      if (probe.length >= SHINGLE) {
        hashed.add(entering);
        if (index.added >= 2 * lookBack) {
          index.clear();
          for (const j of hashed) index.add(j, probes[j] as string);
        } else index.add(entering, probe);
      } else short.add(entering);
    }
    const step = steps[i] as { input: string; output: string };
    if (step.input === '') {
      result.push([]);
      continue;
    }
    haystack = normalizeWhitespace(step.input);
    hits.clear();
    if (hashed.size > 0 && haystack.length >= SHINGLE) {
      let shortest = Number.POSITIVE_INFINITY;
      for (const j of hashed) shortest = Math.min(shortest, (probes[j] as string).length);
      const every = shortest - SHINGLE + 1;
      const firstLive = Math.max(0, i - lookBack);
      const last = haystack.length - SHINGLE;
      for (sampleAt = 0; sampleAt <= last; sampleAt += every) index.lookup(shingleHash(haystack, sampleAt), firstLive, onCandidate);
    }
    for (const j of short) if (haystack.includes(probes[j] as string)) hits.add(j);
    // Identical probes: keep only the most recent step that produced the text.
    const found = [...hits].sort((a, b) => b - a);
    const seen = new Set<string>();
    const kept: number[] = [];
    for (const j of found) {
      const probe = probes[j] as string;
      if (seen.has(probe)) continue;
      seen.add(probe);
      kept.push(j);
    }
    result.push(kept.reverse());
  }
  return result;
}
