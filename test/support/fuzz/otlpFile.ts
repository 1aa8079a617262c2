/**
 * Fuzz target: OTLP files read from disk. `importOtlpFile` streams a file of one export request per
 * line and reads any other file whole; either way it must return exactly what `importOtlpText`
 * returns for the file's text. The cases are files of several damaged export requests (the import
 * target's mutations, line by line), joined by LF or CRLF, sometimes with blank lines or a BOM, so
 * that both the streamed path and each way out of it (a broken line, a pretty-printed request, a
 * long integer) are met.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { importOtlpFile, importOtlpText } from '../../../src/core/trajectory';
import { finding, type Finding, type FuzzTarget } from './target';
import { checkImport, importCases, SEEDS } from './trajectoryInputs';

export interface OtlpFileCase {
  text: string;
}

function fileCases(seeds: readonly string[]): fc.Arbitrary<OtlpFileCase> {
  const request = importCases('otlp', seeds).map((c) => c.text);
  const separator = fc.constantFrom('\n', '\n', '\r\n', '\n\n', '\n \n');
  // A BOM now and then: editors on Windows write one.
  const bom = fc.nat({ max: 9 }).map((n) => (n === 0 ? '\ufeff' : ''));
  return fc.tuple(bom, fc.array(fc.tuple(request, separator), { minLength: 1, maxLength: 4 })).map(([mark, parts]) => ({ text: mark + parts.map(([r, s]) => r + s).join('') }));
}

/** The target, with the folder its case files are written to; `close` removes that folder. */
export function openOtlpFileTarget(seeds: readonly string[] = SEEDS.otlp): FuzzTarget<OtlpFileCase> & { close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'truce-fuzz-otlp-'));
  const path = join(dir, 'trace.jsonl');
  return {
    name: 'import otlp file (streamed lines = whole text)',
    arbitrary: fileCases(seeds),
    show: (c) => JSON.stringify(c.text.length > 4000 ? `${c.text.slice(0, 4000)}…` : c.text),
    async check(c): Promise<Finding[]> {
      writeFileSync(path, c.text);
      const fromFile = await importOtlpFile(path, { source: 'fuzz.jsonl' });
      // The file's text as read back, not the case's string: writing a lone surrogate as UTF-8 turns
      // it into U+FFFD, so the two can differ.
      const fromText = importOtlpText(readFileSync(path, 'utf8'), { source: 'fuzz.jsonl' });
      const out = checkImport({ format: 'otlp', text: c.text }, fromFile);
      if (JSON.stringify(fromFile) !== JSON.stringify(fromText)) out.push(finding('wrong-value', 'the file import differs from the import of its text'));
      return out;
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
