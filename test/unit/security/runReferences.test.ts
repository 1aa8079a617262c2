/**
 * Every run reference resolves inside `.truce/runs/` or is refused: `optimize --resume`, `apply
 * --run`, `run --resume`, `report`, `credit`, `suggest`, and the editor's run views. A complete
 * optimize run and a suggestions file are planted outside the workspace, where `../..` would reach
 * them; nothing there may be read as a run or changed.
 */
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { loadRunView } from '../../../src/core/editor/runCatalog';
import { runDir, RunRefError } from '../../../src/core/store/runDir';
import { suggestionId } from '../../../src/core/optimize/suggestionId';
import type { Suggestion } from '../../../src/core/credit/types';
import type { UnitEdit } from '../../../src/core/units';
import { RunViewCache } from '../../../src/extension/panel/runViewCache';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { readTree } from '../llm/helpers';
import type { Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace } from '../optimize/optimizeWorld';

const QUOTE = 'Quote the sentence you disagree with before you explain what is wrong with it.';
const EDIT: UnitEdit = { op: 'MODIFY', agentId: 'skeptic', targetUnitId: 'skeptic.37c04a2959', oldText: QUOTE, newText: 'Quote the exact sentence you dispute, then explain the flaw.' };

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('run references stay inside .truce/runs', function () {
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  /** A sibling of the workspace: `.truce/runs/../../../outside` from inside it. */
  let outside: string;
  let optimizeId: string;

  before(async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    const r = await cli(['optimize', '--rounds', '1', '--top-k', '2', '--batch-size', '2'], ws.dir);
    assert.equal(r.code, 0, r.stderr);
    optimizeId = (JSON.parse(r.stdout) as { runId: string }).runId;
    outside = join(dirname(ws.dir), `${basename(ws.dir)}-outside`);
    // A real optimize run (resumable: same config) and a suggestion that would apply, planted outside.
    cpSync(join(ws.dir, '.truce/runs', optimizeId), join(outside, 'o'), { recursive: true });
    const suggestion: Suggestion = { id: suggestionId(EDIT, 'agents.yaml'), edit: EDIT, file: 'agents.yaml', rationale: 'r', evidence: [{ taskId: 't', stepIds: ['s'] }], support: 1, tasks: ['t'], credit: -0.5, method: 'truce', status: 'proposed' };
    mkdirSync(join(outside, 'r'), { recursive: true });
    writeFileSync(join(outside, 'r/suggestions.json'), JSON.stringify([suggestion]));
  });
  after(async () => {
    await server.close();
    ws.remove();
    rmSync(outside, { recursive: true, force: true });
  });

  it('refuses ids that are paths, and run folders that link out', () => {
    for (const ref of ['../../outside/o', '/etc', '..', '20250101-000000-abcd/../../x', '']) {
      assert.throws(() => runDir(ws.dir, ref), (e: unknown) => e instanceof RunRefError && /is not a run id/.test(e.message), ref);
    }
    symlinkSync(join(outside, 'o'), join(ws.dir, '.truce/runs/20250101-000000-abcd'));
    assert.throws(() => runDir(ws.dir, '20250101-000000-abcd'), (e: unknown) => e instanceof RunRefError && /symbolic link/.test(e.message));
    rmSync(join(ws.dir, '.truce/runs/20250101-000000-abcd'));
    assert.equal(runDir(ws.dir, optimizeId), join(ws.dir, '.truce/runs', optimizeId));
  });

  it('the CLI refuses every outside reference, and nothing outside changes', async () => {
    const before = readTree(outside);
    const prompts = readFileSync(join(ws.dir, 'agents.yaml'));
    const up = `../../../${basename(outside)}`;
    const planted = (JSON.parse(readFileSync(join(outside, 'r/suggestions.json'), 'utf8')) as Suggestion[])[0].id;
    const attempts: string[][] = [
      ['optimize', '--resume', `${up}/o`],
      ['apply', planted, '--run', `${up}/r`],
      ['apply', planted, '--run', `${up}/r`, '--dry-run'],
      ['run', '--resume', `${up}/o`],
      ['report', `${up}/o`],
      ['credit', `${up}/o`],
      ['suggest', `${up}/o`],
    ];
    for (const args of attempts) {
      const r = await cli(args, ws.dir);
      assert.notEqual(r.code, 0, `${args.join(' ')} was accepted: ${r.stderr}`);
      assert.match(r.stderr, /is not a run id/, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.deepEqual(readTree(outside), before, 'nothing outside the workspace changed');
    assert.ok(readFileSync(join(ws.dir, 'agents.yaml')).equals(prompts), 'no suggestion from outside was applied');
  });

  it("the editor's run views refuse them too", async () => {
    const up = `../../../${basename(outside)}`;
    const cache = new RunViewCache(ws.dir);
    await assert.rejects(cache.view(`${up}/o`), /is not a run id/);
    await assert.rejects(cache.promptFiles(`${up}/o`), /is not a run id/);
    await assert.rejects(loadRunView(ws.dir, { runId: `${up}/o`, kind: 'optimize' }), /is not a run id/);
  });
});
