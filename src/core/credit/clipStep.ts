/**
 * How much of one step a credit prompt shows. A long output keeps its head and its tail (the
 * approach and the answer) and loses the middle behind a marker that says how much was cut; lines
 * that carry an error, a traceback's last frame or a final answer are kept wherever they are,
 * because they are often exactly what decided the task. No step is ever dropped whole.
 */
export const OMITTED_PATTERN = /\[… (\d+) characters omitted …\]/g;

const KEY_LINE = /traceback|error|exception|failed|final answer|final_answer|terminate|^\s*answer\s*:/i;

function marker(n: number): string {
  return `[… ${n} characters omitted …]`;
}

/** Characters the markers in `text` say were cut. */
export function omittedCharacters(text: string): number {
  let total = 0;
  for (const m of text.matchAll(OMITTED_PATTERN)) total += Number(m[1]);
  return total;
}

/**
 * `text` within about `max` characters: head and tail, and up to a third of the budget for key
 * lines from the middle (errors, final answers), each gap marked with the characters it hides.
 */
export function clipStepText(text: string, max: number): string {
  if (text.length <= max) return text;
  const headSize = Math.floor(max * 0.35);
  const tailSize = Math.floor(max * 0.35);
  const head = text.slice(0, headSize);
  const tail = text.slice(text.length - tailSize);
  const middle = text.slice(headSize, text.length - tailSize);
  const keyBudget = max - headSize - tailSize;
  const kept: Array<{ start: number; end: number }> = [];
  let used = 0;
  let offset = 0;
  for (const line of middle.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    if (!KEY_LINE.test(line)) continue;
    const take = Math.min(line.length, 300);
    if (used + take > keyBudget) break;
    kept.push({ start, end: start + take });
    used += take;
  }
  const pieces = [head];
  let at = 0;
  for (const k of kept) {
    if (k.start > at) pieces.push(marker(k.start - at));
    pieces.push(middle.slice(k.start, k.end));
    at = k.end;
  }
  if (at < middle.length) pieces.push(marker(middle.length - at));
  pieces.push(tail);
  return pieces.join('\n');
}
