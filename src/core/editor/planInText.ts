/**
 * A suggestion planned against a file's text as the editor holds it (possibly unsaved), with the
 * same re-anchoring and stale checks as `truce apply` (applySuggestions), and the result reduced
 * to one replacement of the smallest changed span — what an editor applies as a WorkspaceEdit.
 */
import type { TruceConfig } from '../config';
import { applySuggestions, type ApplyStatus } from '../optimize/applySuggestions';
import type { Suggestion } from '../credit/types';
import type { TextEdit } from '../units';

export type PlannedTextEdit =
  | { ok: true; before: string; after: string; edit: TextEdit }
  | { ok: false; status: Exclude<ApplyStatus, 'applied'>; reason: string };

export async function planSuggestionInText(config: Pick<TruceConfig, 'agents'>, text: string, suggestion: Suggestion): Promise<PlannedTextEdit> {
  const { texts, results } = await applySuggestions(config, { [suggestion.file]: text }, [suggestion]);
  const result = results[0];
  if (!result || result.status !== 'applied') {
    return { ok: false, status: result?.status === 'rejected' ? 'rejected' : 'stale', reason: result?.reason ?? 'the suggestion could not be planned' };
  }
  const after = texts[suggestion.file] ?? text;
  return { ok: true, before: text, after, edit: smallestReplacement(text, after) };
}

/** One replacement [start, end) of `before` that yields `after`: common prefix and suffix kept. */
export function smallestReplacement(before: string, after: string): TextEdit {
  let start = 0;
  const limit = Math.min(before.length, after.length);
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < limit - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  // Never split a surrogate pair or a CRLF: VS Code positions must land between whole characters.
  while (start > 0 && (isLowSurrogate(before.charCodeAt(start)) || (before[start] === '\n' && before[start - 1] === '\r'))) start--;
  let end = before.length - tail;
  let afterEnd = after.length - tail;
  while (end < before.length && (isLowSurrogate(before.charCodeAt(end)) || (before[end] === '\n' && before[end - 1] === '\r'))) {
    end++;
    afterEnd++;
  }
  return { start, end, newText: after.slice(start, afterEnd) };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
