import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCommand } from '../../../src/cli/commands/importCommand';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../../../src/cli/command';
import { readTrajectoriesJsonl, serializeTrajectory } from '../../../src/core/trajectory';
import { fixture, requireSharedFixtures } from './sharedFixtures';
import { trajectory } from './trajectoryBuilders';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await importCommand.run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

interface JsonSummary {
  files: { file: string; format: string | null; output: string | null; trajectories: number; steps: number; agents: number; errors: number; warnings: number; failure?: string }[];
  totals: { files: number; trajectories: number; steps: number; errors: number; warnings: number };
}

describe('truce import', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'truce-import-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('rejects bad arguments with a usage error', async () => {
    await assert.rejects(run([], cwd), UsageError);
    await assert.rejects(run(['a.json', '--format', 'csv'], cwd), /unknown format "csv"/);
    await assert.rejects(run(['a.json', '--frobnicate'], cwd), UsageError);
    const help = await run(['--help'], cwd);
    assert.equal(help.code, EXIT_OK);
    assert.match(help.stdout, /^Usage: truce import <file\.\.\.>/);
  });

  it('re-validates native JSONL into the default folder, naming the bad line', async () => {
    await writeFile(join(cwd, 'mine.jsonl'), `${serializeTrajectory(trajectory())}\n{"runId": 1}\n`);
    const result = await run(['mine.jsonl'], cwd);
    assert.equal(result.code, EXIT_OK);
    assert.match(result.stdout, /^mine\.jsonl \[native\]: 1 trajectories, 3 steps, 2 agents, \d+ errors → \.truce\/imports\/mine\.trajectories\.jsonl$/m);
    assert.match(result.stderr, /^importing mine\.jsonl \(1\/1\)$/m);
    assert.match(result.stderr, /^mine\.jsonl:2: error: /m);
    const back = await readTrajectoriesJsonl(join(cwd, '.truce', 'imports', 'mine.trajectories.jsonl'));
    assert.equal(back.trajectories.length, 1);
  });

  it('fails with status 1 on a missing file or a file that yields nothing, and writes no empty output', async () => {
    await writeFile(join(cwd, 'junk.json'), '\u0000\u0001 not a trace');
    const result = await run(['missing.json', 'junk.json', '--format', 'otlp', '--json'], cwd);
    assert.equal(result.code, EXIT_FAILURE);
    const summary = JSON.parse(result.stdout) as JsonSummary;
    assert.equal(summary.files[0]?.failure, 'cannot read missing.json: no such file');
    assert.equal(summary.files[1]?.trajectories, 0);
    assert.equal(summary.files[1]?.errors, 1);
    assert.equal(existsSync(join(cwd, '.truce', 'imports', 'junk.trajectories.jsonl')), false);
  });

  it('fails when auto detection cannot tell the format', async () => {
    await writeFile(join(cwd, 'notes.txt'), 'just some notes');
    const result = await run(['notes.txt'], cwd);
    assert.equal(result.code, EXIT_FAILURE);
    assert.match(result.stderr, /could not tell the format .*pass --format/);
  });

  describe('on the shared fixtures', () => {
    before(function () {
      requireSharedFixtures(this);
    });

    it('imports every format into one file per input and prints a JSON summary', async () => {
      const inputs = [
        fixture('whowhen', 'hand-crafted', '47.json'),
        fixture('whowhen', 'algorithm-generated', '47.json'),
        fixture('otel', 'any-agent__tests__assets__OPENAI_trace.json'),
        fixture('marble', 'outputs', 'research-exp__result__discussion_output_llama3.3_70b.jsonl'),
      ];
      const config = fixture('marble', 'configs', 'research__generated_yaml_files_graph_llama3.3_70b_100__profile_66.yaml');
      const result = await run([...inputs, '--out', 'converted', '--json', '--marble-config', config], cwd);
      assert.equal(result.code, EXIT_OK, result.stderr);
      const summary = JSON.parse(result.stdout) as JsonSummary;
      assert.deepEqual(
        summary.files.map((f) => [f.format, f.output, f.trajectories, f.steps, f.agents, f.errors]),
        [
          ['whowhen', join('converted', 'hand-crafted-47.trajectories.jsonl'), 1, 67, 6, 0],
          ['whowhen', join('converted', 'algorithm-generated-47.trajectories.jsonl'), 1, 6, 1, 0],
          ['otlp', join('converted', 'any-agent__tests__assets__OPENAI_trace.trajectories.jsonl'), 1, 7, 1, 0],
          ['marble', join('converted', 'research-exp__result__discussion_output_llama3.3_70b.trajectories.jsonl'), 1, 20, 4, 0],
        ],
      );
      assert.deepEqual(summary.totals, { files: 4, failedFiles: 0, trajectories: 4, steps: 100, errors: 0, warnings: 0 });
      assert.deepEqual((await readdir(join(cwd, 'converted'))).sort(), summary.files.map((f) => (f.output as string).slice('converted/'.length)).sort());
      for (const f of summary.files) {
        const back = await readTrajectoriesJsonl(join(cwd, f.output as string));
        assert.deepEqual(back.errors, []);
        assert.equal(back.trajectories.length, f.trajectories);
      }
      const marble = (await readTrajectoriesJsonl(join(cwd, summary.files[3]?.output as string))).trajectories[0];
      assert.ok(marble?.agents[0]?.prompt, 'profiles from --marble-config reach the output');
    });

    it('reports label warnings without failing, and converting its own output again changes nothing', async () => {
      const first = await run([fixture('whowhen', 'hand-crafted', '22.json')], cwd);
      assert.equal(first.code, EXIT_OK);
      assert.match(first.stdout, /1 trajectories, 24 steps, 4 agents, 0 errors, 1 warnings → \.truce\/imports\/22\.trajectories\.jsonl/);
      assert.match(first.stderr, /22\.json: warning: label inconsistency: mistake_step 4 is a WebSurfer entry, but mistake_agent is FileSurfer/);
      const output = join(cwd, '.truce', 'imports', '22.trajectories.jsonl');
      const before = await readFile(output, 'utf8');
      const again = await run([output, '--out', 'again'], cwd);
      assert.equal(again.code, EXIT_OK);
      assert.equal(await readFile(join(cwd, 'again', '22.trajectories.jsonl'), 'utf8'), before);
    });

    it('fails on the canonical OTLP example, which holds no GenAI spans', async () => {
      const result = await run([fixture('otel', 'opentelemetry-proto__examples__trace.json')], cwd);
      assert.equal(result.code, EXIT_FAILURE);
      assert.match(result.stdout, /0 trajectories, 0 steps, 0 agents, 1 errors — FAILED: nothing imported/);
    });

    it('reports a forced wrong format as errors, not a crash', async () => {
      const result = await run([fixture('whowhen', 'hand-crafted', '24.json'), '--format', 'marble'], cwd);
      assert.equal(result.code, EXIT_FAILURE);
      assert.match(result.stderr, /error: invalid JSON/);
    });
  });
});
