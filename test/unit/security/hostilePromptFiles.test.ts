/**
 * Prompt files that are not prompts are refused before any parser sees them: binary files (NUL
 * bytes), files that are not UTF-8, and files over the size limit (4 MB by default; maxPromptBytes
 * in truce.yaml, --max-bytes for `truce units`). Each refusal names the file and what to do.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { PromptFileError, promptText } from '../../../src/core/promptFileGuard';
import { tempDir } from '../llm/helpers';
import { debateWorkspace, type Workspace } from '../run/debateWorkspace';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

const BINARY = Buffer.from('# Rules\n- Be brief.\n\u0000\u0001\u0002PNG', 'latin1');
const LATIN1 = Buffer.from('# Regeln\n- Antworte kurz und gr\xfcndlich.\n', 'latin1');

describe('prompt files that are not prompts', function () {
  this.timeout(30_000);

  it('names the offset of the NUL byte or of the first bad UTF-8 byte', () => {
    assert.throws(() => promptText(BINARY, 'a.md'), (e: unknown) => e instanceof PromptFileError && /a\.md is a binary file \(a NUL byte at offset 20\)/.test(e.message));
    assert.throws(() => promptText(LATIN1, 'b.md'), (e: unknown) => e instanceof PromptFileError && /b\.md is not valid UTF-8 \(first bad byte at offset 31\)/.test(e.message));
    assert.equal(promptText(Buffer.from('# Rules\n- Kurz & gründlich.\n'), 'c.md'), '# Rules\n- Kurz & gründlich.\n');
  });

  it('truce units refuses them (exit 1), and a file over the limit without reading it whole', async () => {
    const dir = tempDir('hostile-prompts');
    try {
      writeFileSync(join(dir.path, 'binary.md'), BINARY);
      writeFileSync(join(dir.path, 'latin1.md'), LATIN1);
      writeFileSync(join(dir.path, 'huge.md'), `# Rules\n${'- Say it again.\n'.repeat(320_000)}`);
      const binary = await cli(['units', 'binary.md'], dir.path);
      assert.equal(binary.code, 1);
      assert.match(binary.stderr, /binary\.md is a binary file/);
      assert.equal(binary.stdout, '', 'nothing was parsed');
      const latin1 = await cli(['units', 'latin1.md', '--json'], dir.path);
      assert.equal(latin1.code, 1);
      assert.match(latin1.stderr, /latin1\.md is not valid UTF-8/);
      const started = Date.now();
      const huge = await cli(['units', 'huge.md'], dir.path);
      assert.equal(huge.code, 1);
      assert.match(huge.stderr, /huge\.md is 4\.9 MB \(5120008 bytes\), over the prompt file size limit of 4\.0 MB \(4194304 bytes\) \(maxPromptBytes\).*--max-bytes/);
      assert.ok(Date.now() - started < 1000, 'refused without parsing');
      const small = await cli(['units', 'latin1.md', '--max-bytes', '10'], dir.path);
      assert.match(small.stderr, /latin1\.md is 40 bytes, over the prompt file size limit of 10 bytes \(maxPromptBytes\)/);
    } finally {
      dir.remove();
    }
  });

  describe('in a workspace', () => {
    let ws: Workspace;
    beforeEach(() => (ws = debateWorkspace('http://127.0.0.1:9/v1')));
    afterEach(() => ws.remove());

    it('run, optimize and validate refuse a binary prompt file, naming it', async () => {
      writeFileSync(join(ws.dir, 'prompts/proposer.md'), BINARY);
      for (const args of [['run'], ['optimize'], ['validate']]) {
        const r = await cli(args, ws.dir);
        assert.equal(r.code, 1, `${args[0]}: ${r.stdout}${r.stderr}`);
        assert.match(r.stdout + r.stderr, /prompts\/proposer\.md is a binary file/, args[0]);
        // One pointer to truce.yaml, one full stop.
        assert.doesNotMatch(r.stdout + r.stderr, /\.\.|Check `prompt`/, args[0]);
      }
    });

    it('validate refuses a named pipe or a device as a prompt file at once, instead of waiting on it or reading it without end', async function () {
      if (process.platform === 'win32') this.skip();
      // A pipe nobody writes to: opening it for reading would wait forever.
      rmSync(join(ws.dir, 'prompts/proposer.md'));
      if (spawnSync('mkfifo', [join(ws.dir, 'prompts/proposer.md')]).status !== 0) this.skip();
      const pipe = await cli(['validate'], ws.dir);
      assert.equal(pipe.code, 1);
      assert.match(pipe.stdout, /prompts\/proposer\.md is a named pipe, not a prompt file/);
      // An endless device (the numbers of /dev/zero): its size is 0, so only its kind can refuse it.
      // Making one needs root; without it that half is left out.
      rmSync(join(ws.dir, 'prompts/proposer.md'));
      if (spawnSync('mknod', [join(ws.dir, 'prompts/proposer.md'), 'c', '1', '5']).status !== 0) return;
      const device = await cli(['validate'], ws.dir);
      assert.equal(device.code, 1);
      assert.match(device.stdout, /prompts\/proposer\.md is a device, not a prompt file/);
    });

    it('maxPromptBytes in truce.yaml sets the limit', async () => {
      writeFileSync(ws.configPath, `${readFileSync(ws.configPath, 'utf8')}\nmaxPromptBytes: 200\n`);
      const r = await cli(['run'], ws.dir);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /over the prompt file size limit of 200 bytes \(maxPromptBytes\)/);
    });
  });
});
