import { strict as assert } from 'node:assert';
import { parse as parseYaml } from 'yaml';
import { createEvaluator, EvaluatorConfigError } from '../../../src/core/eval';
import { fakeCaller } from './fakeCaller';

describe('evaluator config and factory', () => {
  it('builds every evaluator type from its truce.yaml section', () => {
    const { caller } = fakeCaller([]);
    const deps = { workspaceTrusted: true, caller };
    const configs = [
      { type: 'exact', caseSensitive: true },
      { type: 'choice', letters: 'ABCDE', lowercase: 'any' },
      { type: 'regex', pattern: 'ANSWER: (\\w+)', group: 1 },
      { type: 'numeric', rel: 0.01, extract: 'answer' },
      { type: 'contains-all', items: ['a', { regex: 'b+', flags: 'i' }] },
      { type: 'command', argv: ['node', 'score.js'], timeoutMs: 5000 },
      { type: 'llm-judge', rubric: 'Is it polite?', passThreshold: 0.6 },
    ];
    assert.deepEqual(configs.map((c) => createEvaluator(c, deps).type), configs.map((c) => c.type));
  });

  it('reads the evaluator section of a YAML file and evaluates with it', async () => {
    const section = parseYaml('evaluator:\n  type: numeric\n  abs: 0.5\n').evaluator;
    const ev = createEvaluator(section);
    assert.equal((await ev.evaluate({ output: 'about 9.6', reference: '10' })).success, true);
  });

  it('names misspelt keys, unknown types and bad values', () => {
    const fails = (config: unknown, pattern: RegExp) =>
      assert.throws(() => createEvaluator(config, { workspaceTrusted: true }), (e: unknown) => e instanceof EvaluatorConfigError && pattern.test(e.message));
    fails({ type: 'exact', casesensitive: true }, /casesensitive/);
    fails({ type: 'fuzzy' }, /type/);
    fails({ type: 'numeric', abs: -1 }, /abs/);
    fails({ type: 'regex', pattern: 'a', flags: 'x' }, /flags/);
    fails({ type: 'command', argv: [] }, /argv/);
    fails({ type: 'llm-judge', rubric: 'r', passThreshold: 3 }, /passThreshold/);
  });

  it('reports the config error path for programmatic use', () => {
    try {
      createEvaluator({ type: 'contains-all', items: [] });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof EvaluatorConfigError);
      assert.deepEqual(e.paths, ['items']);
    }
  });

  it('passes meaning checks through to the constructors: regex syntax, trust, judge model', () => {
    assert.throws(() => createEvaluator({ type: 'regex', pattern: '(' }), /invalid/);
    assert.throws(() => createEvaluator({ type: 'command', argv: ['node', 'x.js'] }), /trusted workspace/);
    assert.throws(() => createEvaluator({ type: 'llm-judge', rubric: 'r' }), /judge endpoint/);
  });
});
