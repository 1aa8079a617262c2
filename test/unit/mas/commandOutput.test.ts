import { strict as assert } from 'node:assert';
import { CommandOutputReader } from '../../../src/core/mas/commandOutput';
import type { Step } from '../../../src/core/trajectory/schema';
import { assertValid } from './helpers';

const IDS = { runId: 'run', taskId: 'task' };

function read(lines: unknown[], onStep?: (s: Step) => void) {
  const reader = new CommandOutputReader(onStep);
  lines.forEach((l, i) => reader.line(typeof l === 'string' ? l : JSON.stringify(l), i + 1));
  return reader.finish(IDS);
}

describe('mas/CommandOutputReader (the stdout protocol)', () => {
  it('fills step defaults from arrival order and declares the agents and rounds the steps use', () => {
    const out = read([
      { type: 'step', agentId: 'a', output: 'one' },
      { type: 'round', index: 2, aggregator: 'boss' },
      { type: 'step', agentId: 'b', output: 'two', reads: ['s0'] },
      { type: 'step', agentId: 'a', output: 'three', id: 'x', seq: 10 },
    ]);
    assert.deepEqual(out.problems, []);
    assertValid(out.trajectory);
    assert.deepEqual(out.trajectory?.steps.map((s) => [s.id, s.seq, s.round, s.kind]), [
      ['s0', 0, 0, 'llm'],
      ['s1', 1, 2, 'llm'],
      ['x', 10, 2, 'llm'],
    ]);
    assert.deepEqual(out.trajectory?.agents, [{ id: 'a' }, { id: 'b' }, { id: 'boss', kind: 'aggregator' }]);
    assert.deepEqual(out.trajectory?.rounds.map((r) => r.index), [0, 2]);
    assert.equal(out.answer, 'three');
  });

  it('adds streamed steps to a whole trajectory and picks the answer by precedence', () => {
    const whole = { agents: [{ id: 'a' }], rounds: [{ index: 0 }], steps: [{ id: 'w', seq: 0, round: 0, agentId: 'a', kind: 'llm', output: 'from whole', usage: { in: 3, out: 4 } }], usage: { in: 100, out: 100 }, answer: 'whole answer', attrs: { answer: 'attrs answer' } };
    const merged = read([whole, { type: 'step', agentId: 'a', output: 'late', usage: { in: 1, out: 1 } }]);
    assert.deepEqual(merged.trajectory?.steps.map((s) => s.id), ['w', 's1']);
    assert.deepEqual(merged.trajectory?.usage, { in: 4, out: 5 }, 'recomputed once steps were added');
    assert.equal(merged.answer, 'whole answer');
    assert.equal(read([whole]).trajectory?.usage.in, 100, 'the program’s own total stands otherwise');
    assert.equal(read([whole, { type: 'answer', answer: 'explicit' }]).answer, 'explicit');
    const { answer: _a, ...noAnswer } = whole;
    assert.equal(read([noAnswer]).answer, 'attrs answer');
    assert.equal(read([{ type: 'trajectory', trajectory: noAnswer, answer: 'wrapped' }]).answer, 'wrapped');
  });

  it('reports what it cannot use with the stdout line, and ignores log lines', () => {
    const out = read(['plain log line', '{not json', { type: 'nope' }, { type: 'step', agentId: 'a' }, { type: 'answer', answer: 3 }, '', { type: 'step', agentId: 'a', output: 'ok' }, { type: 'step', agentId: 'a', output: 'dup', id: 's0' }]);
    assert.equal(out.ignoredLines, 1);
    assert.match(out.problems[0], /^stdout line 2: not valid JSON/);
    assert.match(out.problems[1], /^stdout line 3: unknown line type "nope"/);
    assert.match(out.problems[2], /^stdout line 4: invalid step at output/);
    assert.match(out.problems[3], /^stdout line 5: an answer line needs a string "answer"/);
    assert.match(out.problems[4], /step "s0" was printed twice/);
    assert.equal(out.trajectory?.steps.length, 1);
  });

  it('refuses a trajectory whose references do not hold, naming the problem', () => {
    const out = read([{ type: 'step', agentId: 'a', output: 'x', reads: ['ghost'] }]);
    assert.equal(out.trajectory, undefined);
    assert.ok(out.printedTrajectory);
    assert.match(out.problems.join('\n'), /trajectory at steps\[0\]\.reads\[0\]: reads unknown step "ghost"/);
  });

  it('hands each step to onStep as its line arrives', () => {
    const seen: string[] = [];
    const reader = new CommandOutputReader((s) => seen.push(s.output));
    reader.line(JSON.stringify({ type: 'step', agentId: 'a', output: 'first' }), 1);
    assert.deepEqual(seen, ['first']);
    reader.line(JSON.stringify({ type: 'step', agentId: 'a', output: 'second' }), 2);
    assert.deepEqual(seen, ['first', 'second']);
  });
});
