import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importWhoWhenText, validateTrajectory, type ImportResult, type Trajectory } from '../../../src/core/trajectory';
import { fixture, requireSharedFixtures } from './sharedFixtures';

interface Expected {
  steps: number;
  agent: string;
  step: string;
}

// Facts read from the files (and listed in shared/fixtures/SOURCES.md).
const HAND_CRAFTED: Record<string, Expected> = {
  '24': { steps: 5, agent: 'Orchestrator', step: '1' },
  '6': { steps: 8, agent: 'Orchestrator', step: '5' },
  '48': { steps: 5, agent: 'WebSurfer', step: '4' },
  '32': { steps: 12, agent: 'Orchestrator', step: '6' },
  '43': { steps: 16, agent: 'Assistant', step: '12' },
  '29': { steps: 13, agent: 'WebSurfer', step: '12' },
  '45': { steps: 21, agent: 'Orchestrator', step: '20' },
  '22': { steps: 24, agent: 'FileSurfer', step: '4' },
  '53': { steps: 28, agent: 'Assistant', step: '24' },
  '49': { steps: 16, agent: 'WebSurfer', step: '12' },
  '47': { steps: 67, agent: 'Orchestrator', step: '51' },
  '3': { steps: 93, agent: 'WebSurfer', step: '32' },
};
const ALGORITHM_GENERATED: Record<string, Expected> = {
  '47': { steps: 6, agent: 'Mesopotamian_Number_Systems_Expert', step: '1' },
  '21': { steps: 6, agent: 'Lyrics_Expert', step: '0' },
  '102': { steps: 10, agent: 'Filmography_Expert', step: '1' },
  '12': { steps: 5, agent: 'Verification_Expert', step: '1' },
  '30': { steps: 7, agent: 'Culinary_Expert', step: '3' },
  '14': { steps: 10, agent: 'Culinary_Awards_Expert', step: '2' },
  '15': { steps: 10, agent: 'Boggle_Board_Expert', step: '6' },
  '59': { steps: 10, agent: 'DataExtraction_Expert', step: '1' },
  '117': { steps: 7, agent: 'JSON_Expert', step: '0' },
  '19': { steps: 10, agent: 'Debugging_Problem_Solving_Expert', step: '0' },
  '1': { steps: 6, agent: 'Excel_Expert', step: '0' },
  '44': { steps: 10, agent: 'WebDevelopment_Expert', step: '1' },
};
/** Upstream files whose mistake_step entry was written by another agent than mistake_agent. */
const INCONSISTENT = ['hand-crafted/22', 'hand-crafted/49', 'algorithm-generated/14', 'algorithm-generated/15', 'algorithm-generated/59'];

function importLog(subset: string, n: string): ImportResult {
  const path = fixture('whowhen', subset, `${n}.json`);
  return importWhoWhenText(readFileSync(path, 'utf8'), { source: path });
}

function only(subset: string, n: string): Trajectory {
  const result = importLog(subset, n);
  assert.equal(result.trajectories.length, 1, JSON.stringify(result.errors));
  assert.ok(result.errors.every((e) => e.severity === 'warning'), JSON.stringify(result.errors));
  return result.trajectories[0] as Trajectory;
}

describe('Who&When importer on the real logs (shared fixtures)', () => {
  before(function () {
    requireSharedFixtures(this);
  });

  for (const [subset, table] of [
    ['hand-crafted', HAND_CRAFTED],
    ['algorithm-generated', ALGORITHM_GENERATED],
  ] as const) {
    it(`imports every ${subset} log with one step per history entry and the label mapped to step s<mistake_step>`, () => {
      for (const [n, expected] of Object.entries(table)) {
        const t = only(subset, n);
        assert.equal(validateTrajectory(JSON.parse(JSON.stringify(t))).ok, true, `${subset}/${n}`);
        assert.equal(t.steps.length, expected.steps, `${subset}/${n} steps`);
        assert.deepEqual(t.steps.map((s) => s.id), t.steps.map((_s, i) => `s${i}`));
        assert.equal(t.labels?.mistakeAgent, expected.agent, `${subset}/${n} agent`);
        assert.equal(t.labels?.mistakeStep, expected.step);
        assert.equal(t.labels?.mistakeStepId, `s${expected.step}`);
        assert.deepEqual(t.outcome?.score, 0);
        assert.equal(t.outcome?.success, false);
        assert.equal(t.runId, `whowhen:${subset}/${n}.json`);
        const consistent = t.steps[Number(expected.step)]?.agentId === expected.agent;
        assert.equal(consistent, !INCONSISTENT.includes(`${subset}/${n}`), `${subset}/${n} consistency`);
        assert.equal(t.labels?.notes !== undefined, !consistent);
      }
    });
  }

  it('keeps the 22.json inconsistency visible: label says FileSurfer, step 4 is a WebSurfer entry', () => {
    const result = importLog('hand-crafted', '22');
    const t = result.trajectories[0] as Trajectory;
    assert.equal(t.labels?.mistakeAgent, 'FileSurfer');
    assert.equal(t.labels?.mistakeStepId, 's4');
    assert.equal(t.steps[4]?.agentId, 'WebSurfer');
    assert.deepEqual(t.labels?.notes, ['mistake_step 4 is a WebSurfer entry, but mistake_agent is FileSurfer']);
    assert.deepEqual(result.errors, [
      { message: 'label inconsistency: mistake_step 4 is a WebSurfer entry, but mistake_agent is FileSurfer', path: 'mistake_step', severity: 'warning' },
    ]);
    // FileSurfer does speak later, so it is a known agent.
    assert.equal(t.steps.find((s) => s.agentId === 'FileSurfer')?.id, 's19');
  });

  it('splits Magentic-One roles into agent and channel: thoughts, handoffs, worker replies', () => {
    const t = only('hand-crafted', '22');
    assert.deepEqual(t.agents.map((a) => [a.id, a.kind]), [
      ['human', 'human'],
      ['Orchestrator', 'role'],
      ['WebSurfer', 'role'],
      ['FileSurfer', 'role'],
    ]);
    assert.deepEqual(t.steps.slice(0, 5).map((s) => [s.agentId, s.kind, s.attrs.channel ?? null]), [
      ['human', 'message', null],
      ['Orchestrator', 'llm', 'thought'],
      ['Orchestrator', 'llm', 'thought'],
      ['Orchestrator', 'handoff', '-> WebSurfer'],
      ['WebSurfer', 'message', null],
    ]);
    assert.equal(t.steps[3]?.attrs.to, 'WebSurfer');
    // The reply reads the entry before it and the instruction addressed to it.
    assert.deepEqual(t.steps[8]?.reads, ['s6', 's7']);
    assert.equal(t.task?.input.startsWith("In Emily Midkiff's June 2014 article"), true);
    assert.equal(t.task?.reference, 'fluffy');
    assert.equal(t.taskId, 'b816bfce-3d80-4913-a07d-69b752ce6377');
    assert.equal(t.labels?.level, '1');
  });

  it('forms rounds from orchestrator turns (consecutive entries of one agent are one turn)', () => {
    const t = only('hand-crafted', '22');
    assert.deepEqual(t.steps.map((s) => s.round), [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4]);
    assert.deepEqual(t.rounds.map((r) => r.index), [0, 1, 2, 3, 4]);
  });

  it('treats ComputerTerminal as a tool agent whose entries are tool results', () => {
    const t = only('hand-crafted', '47');
    assert.equal(t.agents.find((a) => a.id === 'ComputerTerminal')?.kind, 'tool');
    assert.ok(t.steps.filter((s) => s.agentId === 'ComputerTerminal').every((s) => s.kind === 'tool_result'));
    assert.ok(t.steps.some((s) => s.attrs.to === 'ComputerTerminal'));
  });

  it('keeps optional label fields as text: level, mistake_type, and the one extra labels key', () => {
    assert.equal(only('hand-crafted', '6').labels?.level, undefined);
    assert.equal(only('hand-crafted', '53').labels?.level, '3');
    assert.equal(only('hand-crafted', '29').labels?.mistakeType, 'wrong_reasoning');
    assert.equal(only('hand-crafted', '45').labels?.mistakeType, 'Processing Error');
    assert.equal(only('hand-crafted', '3').labels?.mistakeType, 'Tool failure');
    assert.equal(only('algorithm-generated', '102').labels?.level, 'Medium');
    assert.equal(only('algorithm-generated', '117').labels?.level, 'Hard');
    assert.deepEqual(only('algorithm-generated', '30').labels?.tags, ['Factual_Error']);
  });

  it('attaches system prompts to algorithm-generated agents, including ones that never speak', () => {
    const t = only('algorithm-generated', '117');
    assert.deepEqual(t.agents.map((a) => [a.id, a.kind]), [
      ['JSON_Expert', 'role'],
      ['Debugging_Expert', 'role'],
      ['Computer_terminal', 'tool'],
      ['Verification_Expert', 'role'],
      ['Logistics_Expert', 'role'],
    ]);
    assert.match(t.agents.find((a) => a.id === 'Logistics_Expert')?.prompt ?? '', /^## Your role\nLogistics_Expert/);
    assert.equal(t.agents.find((a) => a.id === 'Computer_terminal')?.prompt, undefined);
    assert.ok(t.steps.every((s) => s.attrs.role === 'user' || s.attrs.role === 'assistant'));
    assert.equal(t.attrs?.subset, 'algorithm-generated');
  });
});

describe('Who&When importer on unusual and bad input', () => {
  it('accepts numbers and strings interchangeably', () => {
    const log = {
      history: [
        { content: 'task', role: 'human' },
        { content: 42, role: 'Orchestrator (thought)' },
        { content: 'answer', role: 'Websurfer' },
      ],
      question: 'Q',
      ground_truth: 7,
      mistake_agent: 'WebSurfer',
      mistake_step: 2,
      mistake_reason: 'r',
      level: 2,
      is_corrected: 'False',
    };
    const result = importWhoWhenText(JSON.stringify(log));
    const t = result.trajectories[0] as Trajectory;
    assert.equal(t.steps[1]?.output, '42');
    assert.equal(t.labels?.mistakeStep, '2');
    assert.equal(t.labels?.mistakeStepId, 's2');
    // The casing typo upstream once had matches the agent that is in the log.
    assert.equal(t.labels?.mistakeAgent, 'Websurfer');
    assert.equal(t.labels?.level, '2');
    assert.equal(t.task?.reference, '7');
    assert.deepEqual(result.errors, []);
  });

  it('notes a mistake_step that indexes no entry', () => {
    const result = importWhoWhenText(JSON.stringify({ history: [{ content: 'x', role: 'human' }], mistake_agent: 'human', mistake_step: '9' }));
    assert.equal(result.trajectories[0]?.labels?.mistakeStepId, undefined);
    assert.deepEqual(result.errors.map((e) => [e.path, e.severity]), [['mistake_step', 'warning']]);
  });

  const bad: [string, string, RegExp, string | undefined][] = [
    ['empty file', '', /empty/, undefined],
    ['truncated JSON', '{\n  "history": [\n    {"content": "x", "role": "human"},\n', /invalid JSON \(truncated\?\)/, undefined],
    ['binary garbage', '\u0000\u00ff\u0001', /invalid JSON/, undefined],
    ['history of the wrong type', '{"history": "nope", "mistake_step": "1"}', /history/, 'history'],
    ['a JSON list of non-objects', '[1]', /JSON object/, '[0]'],
    ['entries without speaker', '{"history": [{"content": "x"}]}', /neither name nor role/, 'history[0]'],
  ];
  for (const [name, text, message, path] of bad) {
    it(`reports ${name} without throwing`, () => {
      const result = importWhoWhenText(text);
      assert.equal(result.trajectories.length, 0);
      assert.match(result.errors[0]?.message ?? '', message);
      assert.equal(result.errors[0]?.path, path);
      if (name === 'truncated JSON') assert.equal(result.errors[0]?.line, 4);
    });
  }
});
