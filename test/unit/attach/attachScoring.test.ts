import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachScoring } from '../../../src/core/attach';
import type { TruceConfig } from '../../../src/core/config';

describe('attach/attachScoring', () => {
  let root: string;
  beforeEach(async () => (root = await mkdtemp(join(tmpdir(), 'truce-attach-scoring-'))));
  afterEach(() => rm(root, { recursive: true, force: true }));

  const config = (evaluator: Record<string, unknown>, file = 'tasks.jsonl') => ({ tasks: { file }, evaluator, llm: { executor: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' } }, budget: {} }) as unknown as TruceConfig;

  it('reads the tasks file of truce.yaml, skipping bad lines with a note, and builds its evaluator', async () => {
    await writeFile(join(root, 'tasks.jsonl'), '{"id":"a","input":"x","reference":"1"}\nnot json\n');
    const s = await attachScoring(config({ type: 'exact' }), { workspaceRoot: root, trusted: false, env: {} });
    assert.deepEqual(s.tasks.map((t) => t.id), ['a']);
    assert.equal(s.tasksFile, 'tasks.jsonl');
    assert.equal(s.evaluator?.type, 'exact');
    assert.match(s.notes.join('\n'), /tasks\.jsonl: 1 line\(s\) skipped, the first at line 2/);
  });

  it('leaves a command evaluator out of an untrusted workspace, and says so', async () => {
    await writeFile(join(root, 'tasks.jsonl'), '');
    const untrusted = await attachScoring(config({ type: 'command', argv: ['node', 'score.js'] }), { workspaceRoot: root, trusted: false, env: {} });
    assert.equal(untrusted.evaluator, undefined);
    assert.match(untrusted.notes.join('\n'), /command evaluator is not used: .*trusted workspace/);
    const trusted = await attachScoring(config({ type: 'command', argv: ['node', 'score.js'] }), { workspaceRoot: root, trusted: true, env: {} });
    assert.equal(trusted.evaluator?.type, 'command');
  });

  it('goes on without a tasks file or a truce.yaml, scoring by verdicts', async () => {
    const missing = await attachScoring(config({ type: 'exact' }, 'nope.jsonl'), { workspaceRoot: root, trusted: true, env: {} });
    assert.deepEqual(missing.tasks, []);
    assert.match(missing.notes.join('\n'), /tasks file nope\.jsonl not read \(no such file\)/);
    const none = await attachScoring(undefined, { workspaceRoot: root, trusted: true, env: {} });
    assert.equal(none.evaluator, undefined);
    assert.match(none.notes.join('\n'), /no truce\.yaml: traces are scored only by verdicts/);
    const noEval = await attachScoring(config({ type: 'exact' }, 'nope.jsonl'), { workspaceRoot: root, trusted: true, env: {}, noEvaluator: true });
    assert.equal(noEval.evaluator, undefined);
  });
});
