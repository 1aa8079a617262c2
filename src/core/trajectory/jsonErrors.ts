/**
 * Turns a `JSON.parse` failure on a whole file into a message with a line and column, because the
 * engine only reports a character offset and users open files by line.
 */
import type { ImportIssue } from './importResult';

/** Control characters (binary garbage) would garble a terminal; show them escaped. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function jsonParseIssue(text: string, error: unknown, firstLine = 1): ImportIssue {
  const message = printable(error instanceof Error ? error.message : String(error));
  const position = /position (\d+)/.exec(message);
  if (!position) {
    // "Unexpected end of JSON input": the document stops early, so the last line is where to look.
    if (/end of JSON input/.test(message)) return { message: `invalid JSON (truncated?): ${message}`, line: firstLine + countNewlines(text, text.length) };
    return { message: `invalid JSON: ${message}`, line: firstLine };
  }
  const offset = Math.min(Number(position[1]), text.length);
  const line = firstLine + countNewlines(text, offset);
  const column = offset - (text.lastIndexOf('\n', offset - 1) + 1) + 1;
  return { message: `invalid JSON at line ${line}, column ${column}: ${message}`, line };
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

/** Parses a whole document; on failure returns the located issue instead of throwing. */
export function parseJsonDocument(text: string): { value: unknown } | { issue: ImportIssue } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return { issue: { message: 'the file is empty' } };
  try {
    return { value: JSON.parse(body) };
  } catch (error) {
    return { issue: jsonParseIssue(body, error) };
  }
}
