/**
 * Where the real public data used by the importer tests lives: `../shared/fixtures` next to the
 * repository. A user's clone does not have it; those tests then skip with a visible message
 * instead of failing.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The folder holding package.json, found upwards from the running (bundled) test file. */
export function findRepoRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();
export const fixturesDir = resolve(repoRoot, '../shared/fixtures');

export function fixture(...parts: string[]): string {
  return join(fixturesDir, ...parts);
}

/** For a mocha `before` hook: skips the suite, saying why, when the shared fixtures are absent. */
export function requireSharedFixtures(context: Mocha.Context): void {
  if (!existsSync(fixturesDir)) {
    console.log(`      shared fixtures not found at ${fixturesDir}, skipping importer fixture tests`);
    context.skip();
  }
}
