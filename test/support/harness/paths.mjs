// Where the harness finds things. Every path can be moved by an environment variable so that the
// same runners work from a second checkout or a desktop with its own browser.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
export const codeServerVersion = '4.100.3';
export const cacheDir = process.env.TRUCE_CACHE_DIR ?? join(repoRoot, '.vscode-test');
export const codeServerDir = process.env.TRUCE_CODE_SERVER_DIR ?? join(cacheDir, `code-server-${codeServerVersion}`);
export const codeServerEntry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.TRUCE_CHROMIUM ?? '/usr/bin/chromium';
export const fixtureWorkspace = join(repoRoot, 'test', 'fixtures', 'workspace');
export const artifactsDir = join(repoRoot, 'artifacts');
export const resultsDir = join(artifactsDir, 'results');
export const vsixPath = join(repoRoot, 'out', 'truce.vsix');

/**
 * Fails early, with the command that fixes it, for each thing a runner needs that is not there.
 * `needs` names what to check: 'codeServer', 'chromium', 'extensionBuild', 'inHostTests', 'vsix',
 * 'fixture', 'cli'.
 */
export function assertPrerequisites(needs) {
  const problems = [];
  for (const need of needs) {
    switch (need) {
      case 'codeServer': {
        const check = spawnSync('bash', [join(repoRoot, 'scripts', 'install-code-server.sh'), '--check'], {
          env: { ...process.env, TRUCE_CODE_SERVER_DIR: codeServerDir },
        });
        if (check.status !== 0) {
          problems.push(`code-server ${codeServerVersion} is not installed (or not intact) in ${codeServerDir}: run \`bash scripts/install-code-server.sh\``);
        }
        break;
      }
      case 'chromium':
        if (!existsSync(chromiumPath)) {
          problems.push(`no Chromium at ${chromiumPath}: on Debian \`sudo apt-get install -y chromium\`, elsewhere set TRUCE_CHROMIUM=/path/to/chromium`);
        }
        break;
      case 'extensionBuild':
        if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
          problems.push('dist/extension.js is missing: run `node scripts/build.mjs --tests`');
        }
        break;
      case 'inHostTests':
        if (!existsSync(join(repoRoot, 'out', 'test', 'integration', 'index.js'))) {
          problems.push('out/test/integration/index.js is missing: run `node scripts/build.mjs --tests`');
        }
        break;
      case 'vsix':
        if (!existsSync(vsixPath)) problems.push('out/truce.vsix is missing: run `npm run package`');
        break;
      case 'cli':
        if (!existsSync(join(repoRoot, 'dist', 'cli.js'))) problems.push('dist/cli.js is missing: run `node scripts/build.mjs`');
        break;
      case 'fixture':
        if (!existsSync(fixtureWorkspace)) problems.push(`the fixture workspace ${fixtureWorkspace} is missing`);
        break;
      default:
        throw new Error(`assertPrerequisites: unknown need '${need}'`);
    }
  }
  if (problems.length) {
    const error = new Error(`cannot run yet:\n  - ${problems.join('\n  - ')}`);
    error.prerequisites = problems;
    throw error;
  }
}
