/**
 * Which of several non-overlapping edits a text shows. An editor's refactor preview lets the user
 * untick edits, and applying reports only "done"; the ledger still needs to know which edits went
 * in, so the result is read back against the original: the text must consist of the original with
 * each edit either made or not. Prompt files are small and the edits few, so a search is cheap.
 */
import type { TextEdit } from '../units';

/** One flag per edit (same order), or undefined when the text is not the original with some of the edits made. */
export function appliedSubset(original: string, result: string, edits: readonly TextEdit[]): boolean[] | undefined {
  const order = edits.map((edit, index) => ({ edit, index })).sort((a, b) => a.edit.start - b.edit.start);
  for (let k = 1; k < order.length; k++) if (order[k]!.edit.start < order[k - 1]!.edit.end) return undefined;
  const flags = new Array<boolean>(edits.length).fill(false);

  const search = (k: number, from: number, at: number): boolean => {
    if (k === order.length) return result.slice(at) === original.slice(from);
    const { edit, index } = order[k]!;
    const gap = original.slice(from, edit.start);
    if (!result.startsWith(gap, at)) return false;
    const here = at + gap.length;
    // Prefer "made": an edit whose new text equals the old one is indistinguishable and harmless either way.
    if (result.startsWith(edit.newText, here) && search(k + 1, edit.end, here + edit.newText.length)) {
      flags[index] = true;
      return true;
    }
    if (result.startsWith(original.slice(edit.start, edit.end), here) && search(k + 1, edit.end, here + (edit.end - edit.start))) {
      flags[index] = false;
      return true;
    }
    return false;
  };
  return search(0, 0, 0) ? flags : undefined;
}
