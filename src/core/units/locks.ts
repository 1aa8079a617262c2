/**
 * Locks protect a unit from edits: a comment holding `truce:lock` on the line before it
 * (`<!-- truce:lock -->` in Markdown, `# truce:lock` in YAML and Prompty front matter).
 */
import type { LineIndex } from './lineIndex';

const LOCK_COMMENT = /^\s*(?:<!--\s*truce:lock\s*-->|#\s*truce:lock\b.*|\/\/\s*truce:lock\b.*)\s*$/;

export function isLockedAt(file: LineIndex, line: number): boolean {
  const text = file.text;
  for (let l = line - 1; l >= 0; l--) {
    const start = file.starts[l];
    const end = file.ends[l];
    let c = start;
    while (c < end && (text.charCodeAt(c) === 32 || text.charCodeAt(c) === 9)) c++;
    if (c === end) continue;
    // Every lock comment opens with "<", "#" or "/" after its indentation: most lines are read no
    // further (the test runs once per unit).
    const first = text.charCodeAt(c);
    if (first !== 60 /* < */ && first !== 35 /* # */ && first !== 47 /* / */ && !/\s/.test(text[c])) return false;
    const line = text.slice(start, end);
    return line.includes('truce:lock') && LOCK_COMMENT.test(line);
  }
  return false;
}

export const LOCK_MARKER = { markdown: '<!-- truce:lock -->', yaml: '# truce:lock' } as const;
