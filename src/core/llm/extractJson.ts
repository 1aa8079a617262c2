/**
 * Finds the JSON a model meant to send when it did not send bare JSON: the whole reply, a fenced
 * block, or the first balanced object embedded in prose. It never edits the text into JSON
 * (no quote or comma fixing): a reply that needs guessing goes back to the model for repair.
 */

export type JsonSource = 'whole' | 'fence' | 'embedded';

export type ExtractResult =
  | { ok: true; value: unknown; source: JsonSource }
  | { ok: false; problem: 'empty' | 'no-json' | 'truncated' | 'malformed'; message: string };

/** Bound on brace positions tried, so a pathological reply cannot cost quadratic time. */
const MAX_CANDIDATES = 64;

export function extractJson(text: string): ExtractResult {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, problem: 'empty', message: 'The reply is empty.' };

  const whole = tryParse(trimmed);
  if (whole.ok) return { ok: true, value: whole.value, source: 'whole' };

  for (const body of fencedBlocks(trimmed)) {
    const fenced = tryParse(body.trim());
    if (fenced.ok) return { ok: true, value: fenced.value, source: 'fence' };
  }

  // Candidates in reading order; one nested in an earlier candidate is skipped, since taking a
  // fragment out of a malformed structure would be a guess. An object beats an array, because
  // prose often holds "[1]"-style references before the real answer.
  let firstError: string | undefined;
  let firstArray: unknown;
  let candidates = 0;
  for (let i = nextOpener(trimmed, 0); i >= 0 && candidates < MAX_CANDIDATES; ) {
    candidates++;
    const scan = scanBalanced(trimmed, i);
    if (scan.kind === 'mismatch') {
      firstError ??= `a bracket at offset ${scan.at} does not match the one it closes`;
      i = nextOpener(trimmed, scan.at + 1);
      continue;
    }
    if (scan.kind === 'open') {
      // Everything after `i` is nested in a structure that never closes: the answer was cut off.
      return {
        ok: false,
        problem: 'truncated',
        message: 'The JSON in the reply is cut off (its brackets never close); it may have hit the token limit.',
      };
    }
    const end = scan.at;
    const parsed = tryParse(trimmed.slice(i, end + 1));
    if (parsed.ok && Array.isArray(parsed.value)) firstArray ??= parsed.value;
    else if (parsed.ok && isContainer(parsed.value)) return { ok: true, value: parsed.value, source: 'embedded' };
    else if (!parsed.ok) firstError ??= parsed.error;
    i = nextOpener(trimmed, end + 1);
  }
  if (firstArray !== undefined) return { ok: true, value: firstArray, source: 'embedded' };
  if (firstError !== undefined) {
    return { ok: false, problem: 'malformed', message: `The JSON in the reply does not parse: ${firstError}.` };
  }
  return { ok: false, problem: 'no-json', message: 'The reply contains no JSON object.' };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function nextOpener(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (text[i] === '{' || text[i] === '[') return i;
  return -1;
}

function isContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** Bodies of ``` fences, those labelled json first (models often add a second, illustrative block). */
function fencedBlocks(text: string): string[] {
  const labelled: string[] = [];
  const other: string[] = [];
  const fence = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const lang = (m[1] ?? '').toLowerCase();
    (lang === 'json' || lang === 'jsonc' || lang === 'json5' ? labelled : other).push(m[2] ?? '');
  }
  return [...labelled, ...other];
}

type Scan = { kind: 'closed' | 'mismatch'; at: number } | { kind: 'open' };

/** Where the bracket at `start` closes, skipping brackets inside strings. */
function scanBalanced(text: string, start: number): Scan {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') stack.push('}');
    else if (ch === '[') stack.push(']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return { kind: 'mismatch', at: i };
      if (stack.length === 0) return { kind: 'closed', at: i };
    }
  }
  return { kind: 'open' };
}
