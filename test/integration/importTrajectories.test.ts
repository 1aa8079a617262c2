import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri } from './support/fixtures';

interface Report {
  file: string;
  format?: string;
  output?: string;
  trajectories: number;
  steps: number;
  errorCount: number;
  failure?: string;
}

suite('TRUCE: Import Trajectories', () => {
  suiteSetup(activateExtension);

  test('imports a Who&When log into .truce/imports as a native trajectory with its labels', async () => {
    const reports = await vscode.commands.executeCommand<Report[]>('truce.importTrajectories', [fixtureUri('traces/debate-failure.json')], 'auto');
    assert.equal(reports.length, 1);
    const [r] = reports;
    assert.deepEqual([r.format, r.trajectories, r.steps, r.errorCount, r.failure], ['whowhen', 1, 3, 0, undefined]);
    assert.equal(r.output, '.truce/imports/debate-failure.trajectories.jsonl');
    const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(fixtureUri(r.output!)));
    const trajectory = JSON.parse(written.trim().split('\n')[0]);
    assert.equal(trajectory.labels.mistakeAgent, 'Aggregator');
    assert.deepEqual(trajectory.steps.map((s: { agentId: string }) => s.agentId), ['Proposer', 'Skeptic', 'Aggregator']);
  });

  test('a file that is not a trajectory is reported as failed, nothing is written, nothing throws', async () => {
    const reports = await vscode.commands.executeCommand<Report[]>('truce.importTrajectories', [fixtureUri('prompts/planner.prompt.md')], 'auto');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].trajectories, 0);
    assert.equal(reports[0].output, undefined);
    assert.ok(reports[0].failure || reports[0].errorCount > 0);
  });
});
