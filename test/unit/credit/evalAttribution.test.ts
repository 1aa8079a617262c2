import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalAttributionCommand } from '../../../src/cli/commands/evalAttributionCommand';
import { blameOfReport, scoreCase, summarize, type AttributionResult } from '../../../src/core/credit/evalAttribution';
import type { CreditReport } from '../../../src/core/credit/types';
import { importWhoWhenText } from '../../../src/core/trajectory';
import { start, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../support/fakeOpenAiServer';
import { requireSharedFixtures } from '../../support/sharedFixtures';
import { tempDir } from '../llm/helpers';
import { systemOf } from './bcd/fixtures';

/** A hand-crafted-style Who&When log; the agent that writes "WRONG" is the labelled culprit. */
function whoWhenLog(culprit: 'WebSurfer' | 'Coder', mistakeStep: number) {
  const history = [
    { role: 'human', content: 'What is 2 + 2?' },
    { role: 'Orchestrator (thought)', content: 'Plan: ask WebSurfer, then Coder.' },
    { role: 'Orchestrator (-> WebSurfer)', content: 'Look it up.' },
    { role: 'WebSurfer', content: culprit === 'WebSurfer' && mistakeStep === 3 ? 'WRONG: the page says 5.' : 'The page says 4.' },
    { role: 'Orchestrator (-> Coder)', content: 'Compute it.' },
    { role: 'Coder', content: culprit === 'Coder' ? 'WRONG: print(2 + 3) gives 5.' : 'print(2 + 2) gives 4.' },
    { role: 'Orchestrator (thought)', content: 'Final answer: 5' },
  ];
  return { history, question: 'What is 2 + 2?', ground_truth: '4', is_corrected: false, mistake_agent: culprit, mistake_step: String(mistakeStep), mistake_reason: 'wrong value', question_ID: `q-${culprit}-${mistakeStep}`, level: 1 };
}

/** Critics and judges score text that says WRONG low; everything else high. */
function responder(req: FakeChatRequest): FakeReply {
  if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
  const system = systemOf(req);
  const bad = (text: string) => /WRONG/.test(text);
  if (system.includes('[truce:bcd-critic]')) return { json: { score: bad(req.lastUser) ? 0.05 : 0.9, rationale: 'r' } };
  if (system.includes('[truce:bcd-peer]')) {
    const blocks = [...req.lastUser.matchAll(/^### (.+)\n([\s\S]*?)(?=\n### |$)/gm)];
    return { json: { ratings: blocks.map((m) => ({ agentId: m[1], score: bad(m[2]) ? 0.1 : 0.8, rationale: 'r' })) } };
  }
  if (system.includes('[truce:gbc-influence]')) {
    const blocks = [...req.lastUser.matchAll(/^### Block (\S+) \(from [^)]*\)\n([\s\S]*?)(?=\n### |\n## |$)/gm)];
    return { json: { blocks: blocks.map((m) => ({ blockId: m[1], influence: bad(m[2]) ? 0.9 : 0.3, rationale: 'r' })) } };
  }
  return { content: 'unexpected' };
}

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await evalAttributionCommand.run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env });
  return { code, stdout, stderr };
}

describe('eval-attribution scoring', () => {
  const [log] = importWhoWhenText(JSON.stringify(whoWhenLog('Coder', 5)), { source: 'hand-crafted/1.json' }).trajectories;

  it('scores agent and step against the label, with a ±k tolerance', () => {
    assert.deepEqual(scoreCase(log, { agent: 'Coder', stepId: 's5' }, 1), {
      taskId: log.taskId,
      file: 'hand-crafted/1.json',
      labelAgent: 'Coder',
      labelStepId: 's5',
      predictedAgent: 'Coder',
      predictedStepId: 's5',
      agentCorrect: true,
      stepExact: true,
      stepWithin: true,
      stepDistance: 0,
    });
    const near = scoreCase(log, { agent: 'Orchestrator', stepId: 's4' }, 1);
    assert.equal(near.agentCorrect, false);
    assert.equal(near.stepExact, false);
    assert.equal(near.stepWithin, true);
    assert.equal(scoreCase(log, { agent: 'Orchestrator', stepId: 's4' }, 0).stepWithin, false);
    assert.equal(scoreCase(log, {}, 3).stepWithin, false);
  });

  it('summarises accuracies over the cases', () => {
    const cases = [scoreCase(log, { agent: 'Coder', stepId: 's5' }, 1), scoreCase(log, { agent: 'WebSurfer', stepId: 's3' }, 1)];
    assert.deepEqual(summarize('bcd', cases, 1), { method: 'bcd', cases: 2, within: 1, agentAccuracy: 0.5, stepCases: 2, stepAccuracy: 0.5, stepWithinAccuracy: 0.5 });
  });

  it('takes the pick a method states, else reads it off the signals', () => {
    const base: CreditReport = { method: 'truce', signals: [] };
    assert.deepEqual(blameOfReport({ ...base, details: { blame: { [log.taskId]: { agent: 'X', stepId: 's1' } } } }, log), { agent: 'X', stepId: 's1' });
    const signal = (scope: 'agent' | 'subtrajectory', ref: string, score: number, evidence: string[]) => ({ scope, ref, taskId: log.taskId, score, text: '', evidence, method: 'truce' as const });
    assert.deepEqual(
      blameOfReport({ ...base, signals: [signal('agent', 'Coder', -0.8, ['s4', 's5']), signal('agent', 'WebSurfer', -0.2, ['s3'])] }, log),
      { agent: 'Coder', stepId: 's5' },
    );
    // No agent signals: the earliest prompt-holding step of the most negative signal (s0 is the human).
    assert.deepEqual(blameOfReport({ ...base, signals: [signal('subtrajectory', '0', -0.9, ['s0', 's2', 's3']), signal('subtrajectory', '1', 0.5, ['s1'])] }, log), { agent: 'Orchestrator', stepId: 's2' });
    assert.deepEqual(blameOfReport(base, log), {});
    // A stated "no pick" (the model could not tell) is not overruled by a guess from the signals.
    const noPick = { ...base, details: { blame: { [log.taskId]: { source: 'none', why: 'cannot tell' } } }, signals: [signal('agent', 'Coder', -0.8, ['s5'])] };
    assert.deepEqual(blameOfReport(noPick, log), {});
  });
});

describe('truce eval-attribution', function () {
  // GBC over all 24 real logs estimates every edge it keeps (ties keep all edges): seconds alone, much more on a loaded machine.
  this.timeout(300_000);
  let server: FakeOpenAiServer;
  let dir: { path: string; remove: () => void };
  before(async () => {
    server = await start({ responder });
    dir = tempDir('evalattr');
    mkdirSync(join(dir.path, 'logs'));
    writeFileSync(join(dir.path, 'logs', '1.json'), JSON.stringify(whoWhenLog('Coder', 5)));
    writeFileSync(join(dir.path, 'logs', '2.json'), JSON.stringify(whoWhenLog('WebSurfer', 3)));
    writeFileSync(join(dir.path, 'logs', 'notes.txt'), 'not a log');
  });
  after(async () => {
    dir.remove();
    await server.close();
  });

  const env = () => ({ TRUCE_BASE_URL: server.url, TRUCE_MODEL: 'fake-model' });

  it('finds the culprit agent and step of each log with bcd', async () => {
    const r = await cli(['logs', '--method', 'bcd', '--json'], dir.path, env());
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as AttributionResult;
    assert.equal(result.summary.cases, 2);
    assert.deepEqual(result.cases.map((c) => [c.labelAgent, c.predictedAgent, c.predictedStepId]), [
      ['Coder', 'Coder', 's5'],
      ['WebSurfer', 'WebSurfer', 's3'],
    ]);
    assert.equal(result.summary.agentAccuracy, 1);
    assert.equal(result.summary.stepAccuracy, 1);
  });

  it('prints a per-case table with the accuracies', async () => {
    const r = await cli([join(dir.path, 'logs', '1.json'), '--method', 'gbc', '--within', '2'], dir.path, env());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^case\s+label agent\s+blamed agent/m);
    assert.match(r.stdout, /agent-level accuracy: \d+\.\d%/);
    assert.match(r.stdout, /within ±2/);
    assert.match(r.stderr, /gbc on 1 log\(s\) with fake-model/);
  });

  it('says what is missing when there is no endpoint, and refuses bad arguments', async () => {
    const r = await cli(['logs', '--method', 'bcd'], dir.path, {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /TRUCE_BASE_URL/);
    await assert.rejects(cli(['logs', '--method', 'magic'], dir.path, env()), /--method must be/);
    await assert.rejects(cli(['logs', '--method', 'bcd', '--within', '-1'], dir.path, env()), /--within/);
    await assert.rejects(cli(['--method', 'bcd'], dir.path, env()), /at least one/);
  });

  it('fails when no file holds a labelled log', async () => {
    const r = await cli([join(dir.path, 'logs', 'notes.txt'), '--method', 'bcd'], dir.path, env());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /mistake-agent label/);
  });

  describe('on the real Who&When logs', () => {
    let fixtures: string;
    before(function () {
      fixtures = requireSharedFixtures(this, 'the Who&When smoke run');
    });

    for (const method of ['bcd', 'gbc']) {
      it(`runs ${method} over every labelled log and scores each one`, async () => {
        const r = await cli([join(fixtures, 'whowhen'), '--method', method, '--json'], dir.path, env());
        assert.equal(r.code, 0, r.stderr);
        const result = JSON.parse(r.stdout) as AttributionResult;
        assert.equal(result.summary.cases, 24);
        assert.ok(result.cases.every((c) => c.labelAgent !== '' && c.predictedAgent !== undefined));
        assert.ok(result.summary.stepCases > 0);
      });
    }
  });
});
