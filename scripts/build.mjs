// Bundles the extension, the CLI and (with --tests) the test suites with esbuild.
// Tests are bundled too so that mocha runs plain JavaScript with no TypeScript loader at run time.
import { build } from 'esbuild';
import { readdirSync, statSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const withTests = process.argv.includes('--tests');
const withBench = process.argv.includes('--bench');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
};

function listTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTests(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

const jobs = [
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    define: { TRUCE_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  }),
  // The trajectory panel's webview: browser code, one script plus the CSS it imports (dist/webview.css).
  build({
    ...common,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
  }),
];

if (withTests) {
  // Unit tests: core only, dependencies stay external (resolved from node_modules at run time).
  jobs.push(
    build({ ...common, entryPoints: listTests('test/unit'), outdir: 'out/test/unit', packages: 'external', outbase: 'test/unit' }),
  );
  // In-host tests run inside the extension host where `vscode` is provided by the host.
  // test/integration/bench/ holds benchmark modules for the extension host; --bench builds them.
  const integration = listTests('test/integration').filter((f) => !f.includes(`${'runners'}`) && !f.startsWith(join('test', 'integration', 'bench')));
  if (integration.length) {
    jobs.push(
      build({ ...common, entryPoints: integration, outdir: 'out/test/integration', outbase: 'test/integration', external: ['vscode', 'mocha'] }),
    );
  }
}

if (withBench) {
  // Benchmarks are entry points of their own. Generators, the simulation world's parts and the
  // helper modules of a benchmark folder (p4/, peers/) are bundled into the entries that use them.
  const isEntry = (f) =>
    !/generate/.test(f) && (!/sim\//.test(f) || /sim\/(run|qualityVsCalls|intervene)\.ts$/.test(f)) && !/p4\//.test(f) && (!/peers\//.test(f) || /peers\/run\.ts$/.test(f));
  const entries = listTests('bench').filter(isEntry);
  jobs.push(build({ ...common, entryPoints: entries, outdir: 'out/bench', outbase: 'bench', packages: 'external' }));
  // Modules that bench/*Host.mjs runs inside a code-server extension host, bundled like the in-host tests.
  jobs.push(build({ ...common, entryPoints: listTests('test/integration/bench'), outdir: 'out/test/integration/bench', outbase: 'test/integration/bench', external: ['vscode'] }));
}

await Promise.all(jobs);

// The JSON Schema of truce.yaml is generated from the zod schema on every build.
await build({ ...common, sourcemap: false, entryPoints: ['scripts/generateConfigSchema.ts'], outfile: 'out/scripts/generateConfigSchema.js', packages: 'external' });
execFileSync(process.execPath, ['out/scripts/generateConfigSchema.js'], { stdio: 'inherit' });
