/**
 * Two `truce apply` processes with different suggestions for the same prompt file. Both read the
 * file, then meet at the test-only pause before writing (src/core/testPause.ts), every time. The
 * edit of the first to write stays; the second re-reads under the lock, sees another file than the
 * one it planned against, and is refused. The ledger records exactly the edit in the file.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Suggestion } from '../../../src/core/credit/types';
import { readLedger } from '../../../src/core/optimize/ledger';
import { suggestionId } from '../../../src/core/optimize/suggestionId';
import type { UnitEdit } from '../../../src/core/units';
import { Barrier, REPO, spawnCli } from '../../support/cliProcess';

const RUN = '20250101-000000-abcd';
const EDITS: UnitEdit[] = [
  {
    op: 'MODIFY',
    agentId: 'skeptic',
    targetUnitId: 'skeptic.37c04a2959',
    oldText: 'Quote the sentence you disagree with before you explain what is wrong with it.',
    newText: 'Quote the exact sentence you dispute, then explain the flaw.',
  },
  {
    op: 'MODIFY',
    agentId: 'aggregator',
    targetUnitId: 'aggregator.79566655e3',
    oldText: 'Stay neutral; describe where the argument stands, not which side you prefer.',
    newText: 'Stay neutral and describe only where the argument stands.',
  },
];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function suggestion(edit: UnitEdit): Suggestion {
  return { id: suggestionId(edit, 'agents.yaml'), edit, file: 'agents.yaml', rationale: 'r', evidence: [{ taskId: 't', stepIds: ['s'] }], support: 1, tasks: ['t'], credit: -0.5, method: 'truce', status: 'proposed' };
}

describe('two truce apply processes on one prompt file', function () {
  this.timeout(120_000);
  before(() => execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'ignore' }));

  it('keeps one edit, refuses the other with "the file changed; re-run suggest", and the ledger matches the file', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'truce-apply-race-'));
    const barrier = new Barrier();
    try {
      cpSync(join(REPO, 'examples/debate-mas'), ws, { recursive: true, filter: (src) => !src.includes('.truce') });
      const suggestions = EDITS.map(suggestion);
      mkdirSync(join(ws, '.truce/runs', RUN), { recursive: true });
      writeFileSync(join(ws, '.truce/runs', RUN, 'suggestions.json'), JSON.stringify(suggestions));
      const original = readFileSync(join(ws, 'agents.yaml'));

      const procs = suggestions.map((s) => spawnCli(['apply', s.id, '--run', RUN], ws, barrier.env));
      await barrier.gather('apply', procs);
      assert.equal(barrier.arrived('apply').length, 2, `both processes read the file before either wrote: ${procs.map((p) => p.output().stderr).join(' | ')}`);
      barrier.release();
      const codes = await Promise.all(procs.map((p) => p.exited));

      const after = readFileSync(join(ws, 'agents.yaml'));
      const text = after.toString('utf8');
      const landed = EDITS.map((e) => text.includes(e.newText ?? ''));
      const entries = (await readLedger(ws)).filter((e) => e.kind === 'apply');
      // Exactly one edit is in the file, and the ledger holds exactly that one, from the original bytes.
      assert.deepEqual([...codes].sort(), [0, 1], procs.map((p) => p.output().stderr).join(' | '));
      const winner = codes.indexOf(0);
      const loser = 1 - winner;
      assert.deepEqual(landed, EDITS.map((_, i) => i === winner), 'the file holds the winner\'s edit and only it');
      assert.match(procs[loser].output().stderr, /the file changed; re-run suggest/);
      assert.equal(entries.length, 1, JSON.stringify(entries));
      assert.equal(entries[0].suggestionId, suggestions[winner].id);
      assert.equal(entries[0].beforeSha256, sha(original));
      assert.equal(entries[0].afterSha256, sha(after));
    } finally {
      barrier.remove();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
