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
   * Records in `hits` every probe of a step from `firstLive` on that occurs in `haystack` with one of
   * its shingles at `at`. Equal hashes only nominate candidates; each is compared exactly where it
   * would have to start. (A method rather than a callback: a closure made per search would be a new
   * call target on every import, which throws away the optimised code of the loop calling it.)
   */
  findAt(haystack: string, at: number, firstLive: number, probes: ReadonlyArray<string | undefined>, hits: Hits): void {
    const h = shingleHash(haystack, at);
    for (let e = this.heads[h & this.mask] as number; e >= 0; e = this.next[e] as number) {
      if (this.keys[e] !== h) continue;
      const j = this.steps[e] as number;
      if (j < firstLive) continue;
      const start = at - (this.offsets[e] as number);
      // The first character settles most candidates before the call into startsWith.
      if (start < 0 || haystack.charCodeAt(start) !== hits.firstChar[j] || hits.has(j)) continue;
      if (haystack.startsWith(probes[j] as string, start)) hits.add(j);
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

function shingleHash(text: string, from: number): number {
  let h = 0;
  for (let k = from; k < from + SHINGLE; k++) h = (Math.imul(h, BASE) + text.charCodeAt(k)) | 0;
  return h;
}

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
 * The whitespace-normalised input, or undefined when the input is empty (such a step is not
 * searched). For parts, normalising each and joining the non-empty ones with a space gives the same
 * text as normalising their newline join (the newline merges into the whitespace around it), with one
 * copy of the text instead of two: trimming each part first leaves the replacement nothing to trim,
 * so its result is flattened only once, by the join.
 */
function normalizedInput(input: string | readonly string[]): string | undefined {
  if (typeof input === 'string') return input === '' ? undefined : normalizeWhitespace(input);
  if (input.length === 0 || (input.length === 1 && input[0] === '')) return undefined;
  const pieces: string[] = [];
  for (const part of input) {
    const trimmed = part.trim();
    if (trimmed !== '') pieces.push(trimmed.replace(WHITESPACE_TO_COLLAPSE, ' '));
  }
  return pieces.join(' ');
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
 * occurrence of it starts `shortest - SHINGLE + 1` or more consecutive shingles of the input, and
 * among that many consecutive positions one is a multiple of the sampling step: sampling the input's
 * shingles at 0, step, 2 × step, … lands inside every occurrence. Each sampled shingle
 * is looked up in the index; each probe it names is compared exactly where it would have to start.
 * With the default 200-character probes, one shingle in ~190 is hashed.
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
  // 2^16 chains for a window of 64 probes of up to ~185 shingles each: short chains, a cheap rebuild.
  const index = new ProbeIndex(16);
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
        if (index.added >= 2 * lookBack) {
          index.clear();
          for (let j = firstLive; j < i; j++) {
            const p = probes[j];
            if (isHashed(p)) index.add(j, p);
          }
        } else index.add(entering, probe);
      } else short.add(entering);
    }
    const haystack = normalizedInput((steps[i] as TextStep).input);
    if (haystack === undefined) {
      result.push([]);
      continue;
    }
    hits.reset(i);
    if (hashed > 0 && haystack.length >= SHINGLE) {
      let shortest = Number.POSITIVE_INFINITY;
      for (let j = firstLive; j < i; j++) {
        const probe = probes[j];
        if (isHashed(probe) && probe.length < shortest) shortest = probe.length;
      }
      const every = shortest - SHINGLE + 1;
      const last = haystack.length - SHINGLE;
      for (let at = 0; at <= last; at += every) index.findAt(haystack, at, firstLive, probes, hits);
    }
    if (short.size > 0) for (const j of short) if (haystack.includes(probes[j] as string)) hits.add(j);
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
