/**
 * The real public files in ../shared/fixtures (see its SOURCES.md) are read in place, never copied
 * into the project. A user's clone has no ../shared: those tests skip with a visible message.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Tests run bundled from out/…, at varying depths: find the checkout by its manifest. */
function findRepoRoot(from: string): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'truce-vscode') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`No truce-vscode checkout above ${from}`);
    dir = up;
  }
}

export const repoRoot = findRepoRoot(__dirname);

export function sharedFixturesDir(): string | undefined {
  const dir = resolve(repoRoot, '..', 'shared', 'fixtures');
  return existsSync(dir) ? dir : undefined;
}

/** Call inside a mocha `before`: skips the suite when the shared fixtures are absent. */
export function requireSharedFixtures(ctx: Mocha.Context, what: string): string {
  const dir = sharedFixturesDir();
  if (!dir) {
    console.log(`      (skipped: ${what} needs ../shared/fixtures next to the repository, which is absent)`);
    ctx.skip();
  }
  return dir!;
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}
