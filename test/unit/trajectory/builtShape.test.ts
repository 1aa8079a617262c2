import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasBuiltTrajectoryShape } from '../../../src/core/trajectory/builtShape';
import { acceptBuilt, acceptBuiltAsIs, type ImportResult } from '../../../src/core/trajectory/importResult';
import { TrajectorySchema } from '../../../src/core/trajectory/schema';
import { step, trajectory } from './trajectoryBuilders';

/**
 * A trajectory the way the OTLP importer builds one: every optional part present somewhere, keys in
 * the schema's order (the test builders spread overrides in at the end, which puts them out of it).
 */
function built(): Record<string, unknown> {
  return {
    runId: 'run-1',
    taskId: 'task-1',
    task: { input: 'plan the release' },
    agents: [{ id: 'a', kind: 'role' }, { id: 'b', kind: 'aggregator' }],
    rounds: [{ index: 0 }, { index: 1, state: 'merged', aggregator: 'b' }],
    steps: [
      { id: 's0', seq: 0, round: 0, agentId: 'a', kind: 'llm', input: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'go', name: 'u' }], output: 'plan', reads: [], usage: { in: 3, out: 2 }, t_start: 1.5, t_end: 2.25, attrs: {} },
      { id: 's1', seq: 1, round: 0, agentId: 'b', kind: 'aggregate', input: 'text', output: 'merged', reads: ['s0'], usage: { in: 0, out: 0 }, attrs: { spanId: 'ff', finishReasons: ['stop'] } },
      { id: 's2', seq: 2, round: 1, agentId: 'a', kind: 'llm', output: 'done', reads: ['s1'], usage: { in: 0, out: 0, total: 7 }, attrs: {} },
    ],
    outcome: { score: 0.5, success: false, details: {} },
    usage: { in: 3, out: 2, total: 12 },
    attrs: { source: 'otlp', traceId: 'abc' },
  };
}

function result(): ImportResult {
  return { trajectories: [], errors: [] };
}

/** Every place in a value that a mutation can hit: object keys and array items, as key paths. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const out: (string | number)[][] = [];
  for (const [key, child] of Object.entries(value)) {
    const at = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(at, ...paths(child, at));
  }
  return out;
}

class NotPlain {
  readonly x = 1;
}

const replacement = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom<unknown>(undefined, Number.NaN, Number.POSITIVE_INFINITY, -1, 1.5, 2 ** 60, '', 'tool_call', 'role', new NotPlain(), [undefined], { toString: 1 }),
);

type Mutation = { path: (string | number)[]; kind: 'set' | 'delete' | 'add'; value: unknown };

function mutate(target: Record<string, unknown>, { path, kind, value }: Mutation): void {
  let parent: Record<string | number, unknown> = target;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (kind === 'delete') delete parent[last];
  else if (kind === 'add' && typeof parent[last] === 'object' && parent[last] !== null) (parent[last] as Record<string, unknown>).extra = value;
  else parent[last] = value;
}

describe('hasBuiltTrajectoryShape', () => {
  it('accepts what an importer builds, and acceptBuiltAsIs keeps that very object', () => {
    const value = built();
    assert.equal(hasBuiltTrajectoryShape(value), true);
    const into = result();
    acceptBuiltAsIs(value, into, {});
    assert.deepEqual(into.errors, []);
    assert.equal(into.trajectories[0], value);
  });

  it('says no to the test builders\' trajectories, whose keys are out of the schema order', () => {
    // Valid, but parsing returns the keys reordered: keeping the value as it is would not be the same.
    const value = trajectory({ steps: [step('s0', 0, { input: 'x' })] });
    assert.equal(TrajectorySchema.safeParse(value).success, true);
    assert.equal(hasBuiltTrajectoryShape(value), false);
  });

  it('says no to anything the schema would reject or return changed', () => {
    const cases: [string, (t: Record<string, unknown>) => void][] = [
      ['a negative seq', (t) => ((t.steps as Record<string, unknown>[])[0]!.seq = -1)],
      ['a fractional round', (t) => ((t.steps as Record<string, unknown>[])[0]!.round = 0.5)],
      ['an unknown step kind', (t) => ((t.steps as Record<string, unknown>[])[0]!.kind = 'thought')],
      ['an empty step id', (t) => ((t.steps as Record<string, unknown>[])[0]!.id = '')],
      ['a NaN time', (t) => ((t.steps as Record<string, unknown>[])[0]!.t_start = Number.NaN)],
      ['a key the schema does not know', (t) => ((t.steps as Record<string, unknown>[])[0]!.agentID = 'a')],
      ['an undefined optional field', (t) => ((t.steps as Record<string, unknown>[])[0]!.input = undefined)],
      ['a missing default (the schema would add it)', (t) => delete (t.steps as Record<string, unknown>[])[0]!.reads],
      ['attrs that are not a plain object', (t) => ((t.steps as Record<string, unknown>[])[0]!.attrs = new NotPlain())],
      ['a score above 1', (t) => ((t.outcome as Record<string, unknown>).score = 2)],
      ['keys out of the schema order', (t) => {
        const s = (t.steps as Record<string, unknown>[])[0]!;
        const kind = s.kind;
        delete s.kind;
        s.kind = kind;
      }],
    ];
    for (const [name, change] of cases) {
      const value = built();
      change(value);
      assert.equal(hasBuiltTrajectoryShape(value), false, name);
    }
  });

  it('never says yes when parsing would fail or return something else (mutated trajectories)', () => {
    const places = paths(built());
    const mutation = fc.record({ path: fc.constantFrom(...places), kind: fc.constantFrom<'set' | 'delete' | 'add'>('set', 'delete', 'add'), value: replacement });
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const value = built();
        for (const m of mutations) {
          try {
            mutate(value, m);
          } catch {
            return; // an earlier mutation removed the parent of this path
          }
        }
        if (!hasBuiltTrajectoryShape(value)) return;
        accepted += 1;
        const parsed = TrajectorySchema.safeParse(value);
        assert.equal(parsed.success, true);
        assert.equal(JSON.stringify(parsed.data), JSON.stringify(value));
      }),
      { numRuns: 3000, seed: 12 },
    );
    // Mutations that keep the shape (another string, another count) must be among the cases.
    assert.ok(accepted > 100, `only ${accepted} mutated values were accepted`);
  });

  it('reports a built trajectory that breaks a rule with the same issues as acceptBuilt', () => {
    const breakers: ((t: Record<string, unknown>) => void)[] = [
      (t) => ((t.steps as Record<string, unknown>[])[2]!.reads = ['nowhere']),
      (t) => ((t.steps as Record<string, unknown>[])[1]!.seq = -3),
      (t) => ((t.steps as Record<string, unknown>[])[1]!.agentId = 'ghost'),
    ];
    for (const change of breakers) {
      const a = built();
      const b = built();
      change(a);
      change(b);
      const copied = result();
      const asIs = result();
      acceptBuilt(a, copied, { line: 4, path: 'spans[0]' });
      acceptBuiltAsIs(b, asIs, { line: 4, path: 'spans[0]' });
      assert.deepEqual(asIs, copied);
      assert.equal(asIs.trajectories.length, 0);
      assert.match(asIs.errors[0]?.message ?? '', /^imported record is not a valid trajectory: /);
    }
  });
});
