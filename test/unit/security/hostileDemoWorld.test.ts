/**
 * `demo.world` is a path truce.yaml names, so it gets the treatment of every such path: confined
 * to the workspace, refused when it is a device, a pipe or far too large, and never quoted back in
 * an error message (a file that is not a demo world has its content where the keys should be).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { parseConfig, type TruceConfig } from '../../../src/core/config';
import { DemoWorldError, loadDemoWorld, MAX_DEMO_WORLD_BYTES, parseDemoWorldFile, readDemoWorldText } from '../../../src/core/demo';
import { REPO } from '../../support/cliProcess';

const CONTENT = 'root-SECRET123-x-0-0-root';

describe('a hostile demo.world', function () {
  this.timeout(30_000);
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'truce-demo-world-'));
    dir = join(root, 'ws');
    cpSync(join(REPO, 'examples/debate-mas'), dir, { recursive: true, filter: (src) => !src.includes('.truce') });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const withWorld = (world: string) => writeFileSync(join(dir, 'truce.yaml'), readFileSync(join(dir, 'truce.yaml'), 'utf8').replace(/world: .*/, `world: ${world}`));
  /** The example's config with demo.world set, past parseConfig's own path check (the loader must stand on its own). */
  const configWith = (world: string): TruceConfig => {
    const parsed = parseConfig(readFileSync(join(dir, 'truce.yaml'), 'utf8').replace(/world: .*/, 'world: demo-world.yaml'), { workspaceRoot: dir });
    assert.ok(parsed.ok);
    return { ...parsed.config, demo: { world, when: 'always' } };
  };
  async function cli(...args: string[]) {
    let out = '';
    const code = await runCli(args, { stdout: (t) => (out += t), stderr: (t) => (out += t), cwd: dir, env: { HOME: root } });
    return { code, out };
  }

  it('outside the workspace is refused by validate and run, and never read', async () => {
    writeFileSync(join(root, 'outside.yaml'), `${CONTENT}: 1\nskills: []\n`);
    for (const world of [join(root, 'outside.yaml'), '../outside.yaml']) {
      withWorld(world);
      for (const command of [['validate'], ['run', '--limit', '1']]) {
        const r = await cli(...command);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /error: The demo world file ".*outside\.yaml" is outside the workspace/);
        assert.ok(!r.out.includes('SECRET123'), r.out);
      }
    }
    // The loader refuses it too, for callers that did not go through the config check.
    symlinkSync(join(root, 'outside.yaml'), join(dir, 'linked.yaml'));
    for (const world of ['../outside.yaml', 'linked.yaml']) {
      await assert.rejects(loadDemoWorld(configWith(world), dir), (e: Error) => e instanceof DemoWorldError && /outside the workspace/.test(e.message) && !e.message.includes('SECRET123'));
    }
  });

  it('that does not exist is an error of validate', async () => {
    withWorld('nowhere.yaml');
    const r = await cli('validate');
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /truce\.yaml: error: Cannot read the demo world nowhere\.yaml: it does not exist\. Check demo\.world/);
  });

  it('that is a device, a pipe or over the size limit is refused before it is read', async () => {
    // A workspace whose root is / holds /dev/zero inside it, so the reader's own check is what refuses it.
    await assert.rejects(readDemoWorldText('/', 'dev/zero'), (e: Error) => e instanceof DemoWorldError && /not a regular file/.test(e.message));
    if (process.platform !== 'win32') {
      execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
      await assert.rejects(readDemoWorldText(dir, 'pipe.yaml'), (e: Error) => e instanceof DemoWorldError && /not a regular file/.test(e.message));
      withWorld('pipe.yaml');
      const r = await cli('validate');
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /error: The demo world pipe\.yaml is not a regular file/);
    }
    writeFileSync(join(dir, 'huge.yaml'), `# ${'x'.repeat(MAX_DEMO_WORLD_BYTES)}\n`);
    await assert.rejects(readDemoWorldText(dir, 'huge.yaml'), (e: Error) => e instanceof DemoWorldError && /larger than 1 MB/.test(e.message));
  });

  it('that is not a demo world gets errors that do not quote its content', () => {
    const keys = Array.from({ length: 6 }, (_, i) => `${CONTENT}-${'y'.repeat(50)}-${i}: 1`).join('\n');
    const unknown = (() => {
      try {
        parseDemoWorldFile(`skills: []\n${keys}\n`, 'w.yaml');
      } catch (error) {
        return (error as Error).message;
      }
      return assert.fail('accepted');
    })();
    const cut = `${CONTENT}-${'y'.repeat(40 - CONTENT.length - 1)}…`;
    assert.ok(unknown.includes(`(root): 6 unknown keys ("${cut}", "${cut}", "${cut}", …)`), unknown);
    assert.ok(!unknown.includes('yyyyyyyyyyyyyyyyyyyy-0'), 'keys are cut short');
    assert.equal((unknown.match(/SECRET123/g) ?? []).length, 3, 'at most three keys are named');
    // The YAML parser's message quotes the offending lines; only the problem and its position are kept.
    assert.throws(() => parseDemoWorldFile(`${CONTENT}:x:0:0:root:/root:/bin/bash\nsecond: a: b\n`, 'w.yaml'), (e: Error) => /not valid YAML: .* at line \d+, column \d+\.$/.test(e.message) && !e.message.includes('SECRET123'));
    assert.throws(() => parseDemoWorldFile(`a: *${CONTENT}\n`, 'w.yaml'), (e: Error) => /not valid YAML/.test(e.message) && !e.message.includes('SECRET123'));
  });
});
