/**
 * Front matter (`---` … `---` at the top of Markdown, `.mdc` and Prompty files), split by hand so
 * that a broken block never hides the body: its YAML errors are reported and the body still parses.
 */
import { parseDocument } from 'yaml';
import type { LineIndex } from './lineIndex';
import type { ParseError } from './types';

export interface FrontMatter {
  /** Lines [0, endLine] hold the front matter including both fences. */
  endLine: number;
  data: Record<string, unknown>;
  errors: ParseError[];
}

export function splitFrontMatter(file: LineIndex): FrontMatter | undefined {
  if (file.lineCount < 2 || file.contentText(0).trimEnd() !== '---') return undefined;
  let end = -1;
  for (let l = 1; l < file.lineCount; l++) {
    const t = file.lineText(l).trimEnd();
    if (t === '---' || t === '...') {
      end = l;
      break;
    }
  }
  if (end === -1) {
    return { endLine: 0, data: {}, errors: [{ message: 'Front matter starts with "---" but has no closing "---" line; the rest of the file is read as the body.', line: 0, character: 0 }] };
  }
  const yamlText = quoteBareGlobs(file.text.slice(file.starts[1], file.starts[end]));
  const doc = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: false });
  const errors: ParseError[] = doc.errors.map((e) => ({
    message: `Front matter: ${firstLine(e.message)}`,
    line: 1 + (e.linePos?.[0].line ?? 1) - 1,
    character: (e.linePos?.[0].col ?? 1) - 1,
  }));
  let data: Record<string, unknown> = {};
  if (errors.length === 0) {
    try {
      const value = doc.toJS();
      if (value && typeof value === 'object' && !Array.isArray(value)) data = value as Record<string, unknown>;
    } catch (error) {
      // Some YAML problems (an alias without its anchor) surface only on conversion.
      errors.push({ message: `Front matter: ${firstLine((error as Error).message)}`, line: 1, character: 0 });
    }
  }
  return { endLine: end, data, errors };
}

/**
 * Cursor writes `globs:` with bare patterns that start with a double star, and VS Code's
 * `applyTo:` often does too; YAML would read the leading `*` as an alias and fail. Such a value is
 * a glob list, as those tools read it: it is quoted before parsing (same lines, so error positions
 * hold).
 */
function quoteBareGlobs(yamlText: string): string {
  return yamlText.replace(/^(\s*[\w-]+:[ \t]+)(\*[^\n#]*?)([ \t]*)$/gm, (_m, key: string, value: string, trail: string) => `${key}${JSON.stringify(value)}${trail}`);
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
