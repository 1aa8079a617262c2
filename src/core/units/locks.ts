/**
 * Locks protect a unit from edits: a comment holding `truce:lock` on the line before it
 * (`<!-- truce:lock -->` in Markdown, `# truce:lock` in YAML and Prompty front matter).
 */
import type { LineIndex } from './lineIndex';

const LOCK_COMMENT = /^\s*(?:<!--\s*truce:lock\s*-->|#\s*truce:lock\b.*|\/\/\s*truce:lock\b.*)\s*$/;

export function isLockedAt(file: LineIndex, line: number): boolean {
  for (let l = line - 1; l >= 0; l--) {
    const text = file.lineText(l);
    if (!text.trim()) continue;
    return LOCK_COMMENT.test(text);
  }
  return false;
}

export const LOCK_MARKER = { markdown: '<!-- truce:lock -->', yaml: '# truce:lock' } as const;
