/**
 * The phase pictures under docs/ name the file of each box; their tests read which files a picture
 * names, from the checkout the tests run in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './sharedFixtures';

export { repoRoot };

/** The text of a file under docs/ and the distinct `src/….ts` paths it names, in order of appearance. */
export function readDocPicture(name: string): { doc: string; named: string[] } {
  const doc = readFileSync(join(repoRoot, 'docs', name), 'utf8');
  return { doc, named: [...new Set(doc.match(/src\/[\w/.-]+\.ts/g) ?? [])] };
}
