/**
 * Every credit method end to end from the CLI on the example workspace: `truce optimize --method M`
 * finds the planted defect, `truce apply` writes each accepted suggestion through the ledger, and
 * `truce revert` (newest first) brings every prompt file back to its exact bytes.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import type { Workspace } from '../run/debateWorkspace';
import { methodsResponder, PROPOSER_RULE } from './methodsWorld';
import { optimizerWorkspace } from './optimizeWorld';

const PROMPT_FILES = ['prompts/proposer.md', 'agents.yaml', 'prompts/judge.prompty'];

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('truce optimize --method truce|bcd|gbc on the example workspace', function () {
  this.timeout(120_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  for (const method of ['truce', 'bcd', 'gbc'] as const) {
    it(`${method}: finds the planted rule, applies it through the ledger, and reverts byte for byte`, async () => {
      server = await start({ responder: methodsResponder() });
      ws = optimizerWorkspace(server.url);
      const original = new Map(PROMPT_FILES.map((f) => [f, readFileSync(join(ws.dir, f))]));

      const r = await cli(['optimize', '--method', method, '--rounds', '1', '--batch-size', '4'], ws.dir);
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout) as { runId: string; method: string; accepted: Array<{ id: string; newText?: string }>; val: { before: number; after: number } };
      assert.equal(summary.method, method);
      assert.ok(summary.accepted.some((a) => a.newText === PROPOSER_RULE), `${method} accepted ${JSON.stringify(summary.accepted)}; ${r.stderr.slice(-800)}`);
      assert.ok(summary.val.after > summary.val.before, JSON.stringify(summary.val));
      for (const f of PROMPT_FILES) assert.ok(readFileSync(join(ws.dir, f)).equals(original.get(f) as Buffer), `optimize itself leaves ${f} alone`);

      const editIds: string[] = [];
      for (const { id } of summary.accepted) {
        const applied = await cli(['apply', id, '--run', summary.runId], ws.dir);
        assert.equal(applied.code, 0, applied.stderr);
        editIds.push((JSON.parse(applied.stdout) as { editId: string }).editId);
      }
      assert.ok(readFileSync(join(ws.dir, 'prompts/proposer.md'), 'utf8').includes(PROPOSER_RULE));
      for (const editId of editIds.reverse()) {
        const reverted = await cli(['revert', editId], ws.dir);
        assert.equal(reverted.code, 0, reverted.stderr);
      }
      for (const f of PROMPT_FILES) assert.ok(readFileSync(join(ws.dir, f)).equals(original.get(f) as Buffer), `${f} is byte-identical after revert`);
    });
  }
});
