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
 * the plain search. Inputs are not normalised into new strings: the search reads them through
 * CollapsedText, which sees the normalised text at the few positions it looks at.
 */
import { CollapsedText } from './collapsedText';

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
  return text.replace(WHITESPACE_TO_COLLAPSE, ' ').trim();
}

const WHITESPACE_TO_COLLAPSE = /\s{2,}|[^\S ]/g;

/**
 * Characters per hashed piece (a "shingle"). Probes shorter than this (only when minLength is set
 * lower) are searched for directly.
 */
const SHINGLE = 16;
const BASE = 31;

/**
 * The largest sampling step, and so how many leading shingles of each probe are indexed (an
 * occurrence is always met within its first `step` shingles). Indexing all ~185 shingles of a
 * 200-character probe cost more than the extra samples of the input a smaller step takes.
 */
const MAX_STEP = 64;

/**
 * Probes of one block of steps, indexed by the hash of the shingle at each of their leading offsets,
 * so that a probe is recognised from any of those pieces. A chained hash table in typed arrays: a
 * long trace adds millions of entries, and Map buckets made adding them cost more than the search
 * saved. Entries are never removed one by one; lookups skip probes that left the window, and the
 * whole table is emptied when it is reused for a later block.
 */
class ProbeIndex {
  private readonly heads: Int32Array;
  private readonly mask: number;
  /**
   * Entries of four numbers each — hash, step, offset, next entry of the chain — side by side, so
   * that following a chain touches one place in memory per entry rather than four arrays.
   */
  private entries: Int32Array = new Int32Array(4 << 12);
  private size = 0;
  /** The block of steps (see readsByContent) whose probes this index holds. */
  block = -1;

  constructor(bits: number) {
    this.heads = new Int32Array(1 << bits).fill(-1);
    this.mask = (1 << bits) - 1;
  }

  /** Empties the index for the probes of another block. */
  reuse(block: number): void {
    this.heads.fill(-1);
    this.size = 0;
    this.block = block;
  }

  /** Indexes the shingles of `probe` that start at offsets 0 to `count` - 1. */
  add(j: number, probe: string, count: number): void {
    if (4 * (this.size + count) > this.entries.length) this.grow(4 * (this.size + count));
    const { entries, heads, mask } = this;
    let h = 0;
    for (let k = 0; k < SHINGLE; k++) h = (Math.imul(h, BASE) + probe.charCodeAt(k)) | 0;
    for (let offset = 0; ; offset++) {
      const e = this.size++;
      const slot = h & mask;
      entries[4 * e] = h;
      entries[4 * e + 1] = j;
      entries[4 * e + 2] = offset;
      entries[4 * e + 3] = heads[slot] as number;
      heads[slot] = e;
      if (offset + 1 >= count) break;
      h = (Math.imul(h, BASE) - Math.imul(probe.charCodeAt(offset), BASE_POW) + probe.charCodeAt(offset + SHINGLE)) | 0;
    }
  }

  private grow(needed: number): void {
    let capacity = this.entries.length;
    while (capacity < needed) capacity *= 2;
    const to = new Int32Array(capacity);
    to.set(this.entries.subarray(0, 4 * this.size));
    this.entries = to;
  }

  /**
   * Records in `hits` every probe of a step from `firstLive` on that occurs in `haystack` with one of
   * its shingles at `at`. Equal hashes only nominate candidates; each is compared exactly where it
   * would have to start. (A method rather than a callback: a closure made per search would be a new
   * call target on every import, which throws away the optimised code of the loop calling it.)
   */
  findAt(text: CollapsedText, at: number, h: number, firstLive: number, probes: ReadonlyArray<string | undefined>, hits: Hits): void {
    const { entries } = this;
    for (let e = this.heads[h & this.mask] as number; e >= 0; e = entries[4 * e + 3] as number) {
      if (entries[4 * e] !== h) continue;
      const j = entries[4 * e + 1] as number;
      if (j < firstLive || hits.has(j)) continue;
      const start = text.positionBefore(at, entries[4 * e + 2] as number);
      // The first character settles most candidates before the comparison.
      if (start < 0 || text.charAt(start) !== hits.firstChar[j]) continue;
      if (text.startsWith(probes[j] as string, start)) hits.add(j);
    }
  }
}

/**
 * The steps found in the current input: a list, plus a stamp per step saying for which input it was
 * last found (cheaper than a set that is cleared for every input). Also holds each probe's first
 * character, the check that rules out most candidates.
 */
class Hits {
  readonly list: number[] = [];
  private readonly stamp: Int32Array;
  private current = 0;

  constructor(readonly firstChar: Int32Array) {
    this.stamp = new Int32Array(firstChar.length).fill(-1);
  }

  /** Starts the hits of input `i`. */
  reset(i: number): void {
    this.current = i;
    this.list.length = 0;
  }

  has(j: number): boolean {
    return this.stamp[j] === this.current;
  }

  add(j: number): void {
    if (this.stamp[j] === this.current) return;
    this.stamp[j] = this.current;
    this.list.push(j);
  }
}

/** BASE^SHINGLE mod 2^32, to drop the character leaving a rolling window. */
const BASE_POW = (() => {
  let p = 1;
  for (let k = 0; k < SHINGLE; k++) p = Math.imul(p, BASE);
  return p;
})();

/**
 * A step as the search sees it. Each field is read once: `output` up front, `input` when the search
 * reaches the step. Inputs are most of a trace's text, so a caller can make `input` a getter that
 * builds it then; it is dropped right after, instead of every input being held (and copied by the
 * garbage collector) at once.
 */
export interface TextStep {
  /** A text, or the texts it is made of (a model call's messages), taken as joined by newlines. */
  readonly input: string | readonly string[];
  readonly output: string;
}

/**
 * The input as one text (parts joined by newlines), or undefined when it is empty (such a step is not
 * searched).
 */
function rawInput(input: string | readonly string[]): string | undefined {
  if (typeof input === 'string') return input === '' ? undefined : input;
  if (input.length === 0 || (input.length === 1 && input[0] === '')) return undefined;
  return input.join('\n');
}

/**
 * The probe of one output: the first `probeLength` characters of its whitespace-normalised text, or
 * undefined when that text is shorter than `minLength`. Only a prefix of the output is normalised,
 * grown until it is long enough: normalising a prefix gives a prefix of the normalised whole (a cut
 * through a whitespace run only loses a trailing space), so this is the same probe without
 * rewriting long outputs.
 */
function probeOf(output: string, minLength: number, probeLength: number): string | undefined {
  const needed = Math.max(minLength, probeLength);
  if (Number.isSafeInteger(probeLength) && probeLength >= 0 && Number.isFinite(needed)) {
    for (let take = 2 * needed + SHINGLE; take < output.length; take *= 2) {
      const prefix = normalizeWhitespace(output.slice(0, take));
      if (prefix.length >= needed) return prefix.slice(0, probeLength);
    }
  }
  const n = normalizeWhitespace(output);
  return n.length >= minLength ? n.slice(0, probeLength) : undefined;
}

/**
 * For each step, the indexes of earlier steps whose output (whitespace-normalised) appears in its
 * input. When several earlier steps produced the same text, only the most recent one counts: that
 * is the copy the reader most plausibly saw.
 *
 * How an input is searched: every probe in the window is at least `shortest` characters long, so an
 * occurrence of it starts `shortest - SHINGLE + 1` or more consecutive shingles of the input. The
 * sampling step is that many positions or MAX_STEP, whichever is fewer, so sampling the input's
 * shingles at 0, step, 2 × step, … lands inside every occurrence, within its first `step` shingles:
 * those are the ones indexed. Each sampled shingle is looked up in the index; each probe it names is
 * compared exactly where it would have to start. With the default 200-character probes, one shingle
 * in 64 is hashed.
 */
export function readsByContent(steps: ReadonlyArray<TextStep>, options: TextFlowOptions = {}): number[][] {
  const minLength = options.minLength ?? 24;
  const probeLength = options.probeLength ?? 200;
  const lookBack = Math.floor(options.lookBack ?? 64);
  // Nothing earlier is examined (and the sliding window below assumes it holds at least one step).
  if (!(lookBack >= 1)) return steps.map(() => []);
  const probes: (string | undefined)[] = new Array(steps.length);
  const firstChar = new Int32Array(steps.length).fill(-1);
  for (let i = 0; i < steps.length; i++) {
    const probe = probeOf((steps[i] as TextStep).output, minLength, probeLength);
    probes[i] = probe;
    if (probe) firstChar[i] = probe.charCodeAt(0);
  }
  // Two indexes, for the probes of two consecutive blocks of `lookBack` steps: the window always lies
  // within the current block and the one before it. When probes of a new block arrive, the older
  // index is emptied and takes them, so no probe is indexed twice. Each has about twice as many
  // chains as a block can add entries: short chains in a table small enough to stay in the cache.
  const bits = Math.min(20, Math.max(10, Math.ceil(Math.log2(Math.min(lookBack, 1 << 16) * MAX_STEP * 2))));
  let current = new ProbeIndex(bits);
  let previous = new ProbeIndex(bits);
  /**
   * How many window steps have a probe of at least SHINGLE characters (hashed), and which have a
   * shorter one (searched for directly). The window is walked by index rather than kept as a set:
   * set iteration allocated an iterator result per element, for every step.
   */
  let hashed = 0;
  const short = new Set<number>();

  const result: number[][] = [];
  const hits = new Hits(firstChar);
  for (let i = 0; i < steps.length; i++) {
    // Slide the window to [i - lookBack, i - 1].
    const firstLive = Math.max(0, i - lookBack);
    const entering = i - 1;
    const leaving = i - lookBack - 1;
    if (leaving >= 0 && probes[leaving] !== undefined) {
      if (isHashed(probes[leaving])) hashed -= 1;
      short.delete(leaving);
    }
    if (entering >= 0 && probes[entering] !== undefined) {
      const probe = probes[entering] as string;
      if (probe.length >= SHINGLE) {
        hashed += 1;
        const block = Math.floor(entering / lookBack);
        if (block !== current.block) {
          const emptied = previous;
          previous = current;
          current = emptied;
          current.reuse(block);
        }
        current.add(entering, probe, Math.min(MAX_STEP, probe.length - SHINGLE + 1));
      } else short.add(entering);
    }
    const raw = rawInput((steps[i] as TextStep).input);
    if (raw === undefined) {
      result.push([]);
      continue;
    }
    hits.reset(i);
    if (hashed > 0) {
      let shortest = Number.POSITIVE_INFINITY;
      for (let j = firstLive; j < i; j++) {
        const probe = probes[j];
        if (isHashed(probe) && probe.length < shortest) shortest = probe.length;
      }
      const every = Math.min(MAX_STEP, shortest - SHINGLE + 1);
      const text = new CollapsedText(raw);
      for (let at = text.lo; at < text.hi; at += every) {
        const h = text.hashAt(at, SHINGLE, BASE);
        // Fewer than SHINGLE normalised characters are left: no probe can start here or later.
        if (h === undefined) break;
        current.findAt(text, at, h, firstLive, probes, hits);
        previous.findAt(text, at, h, firstLive, probes, hits);
      }
    }
    if (short.size > 0) {
      const haystack = normalizeWhitespace(raw);
      for (const j of short) if (haystack.includes(probes[j] as string)) hits.add(j);
    }
    if (hits.list.length === 0) {
      result.push([]);
      continue;
    }
    result.push(mostRecentPerText(hits.list, probes));
  }
  return result;
}

/** Whether a probe is long enough to be found through the index (shorter ones are searched for directly). */
function isHashed(probe: string | undefined): probe is string {
  return probe !== undefined && probe.length >= SHINGLE;
}

/**
 * The hits in step order, keeping of identical probes only the most recent step that produced the
 * text. An input has a handful of hits, so a pairwise comparison beats building a set for each input.
 */
function mostRecentPerText(hits: number[], probes: ReadonlyArray<string | undefined>): number[] {
  // Insertion sort, most recent first.
  for (let a = 1; a < hits.length; a++) {
    const j = hits[a] as number;
    let b = a - 1;
    for (; b >= 0 && (hits[b] as number) < j; b--) hits[b + 1] = hits[b] as number;
    hits[b + 1] = j;
  }
  const kept: number[] = [];
  for (const j of hits) {
    const probe = probes[j];
    let repeated = false;
    for (const k of kept) {
      if (probes[k] === probe) {
        repeated = true;
        break;
      }
    }
    if (!repeated) kept.push(j);
  }
  return kept.reverse();
}
