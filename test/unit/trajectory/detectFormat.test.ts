import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DETECT_BYTES, detectFormat, serializeTrajectory } from '../../../src/core/trajectory';
import { fixture, requireSharedFixtures } from './sharedFixtures';
import { trajectory } from './trajectoryBuilders';

function head(path: string): Buffer {
  return readFileSync(path).subarray(0, DETECT_BYTES);
}

describe('format detection', () => {
  describe('on every real input file (shared fixtures)', () => {
    before(function () {
      requireSharedFixtures(this);
    });

    const expectations: [string[], string][] = [
      [['whowhen', 'hand-crafted'], 'whowhen'],
      [['whowhen', 'algorithm-generated'], 'whowhen'],
      [['marble', 'outputs'], 'marble'],
      [['otel'], 'otlp'],
    ];
    for (const [folder, format] of expectations) {
      it(`recognises ${folder.join('/')} as ${format}`, () => {
        const dir = fixture(...folder);
        const files = readdirSync(dir);
        assert.ok(files.length > 0);
        for (const name of files) assert.equal(detectFormat(join(dir, name), head(join(dir, name))), format, name);
      });
    }

    it('does not mistake a MARBLE config or prompt file for a trajectory source', () => {
      assert.equal(detectFormat('x.yaml', head(fixture('marble', 'configs', 'coding_configs__config_1.yaml'))), undefined);
      assert.equal(detectFormat('x.json', head(fixture('marble', 'prompts', 'evaluator_prompts.json'))), undefined);
    });
  });

  it('recognises native JSONL by content and by file name', () => {
    assert.equal(detectFormat('anything.jsonl', serializeTrajectory(trajectory())), 'native');
    assert.equal(detectFormat('run.trajectories.jsonl', '{"some": "record"}'), 'native');
  });

  it('matches keys only, not words inside string values', () => {
    assert.equal(detectFormat('a.json', '{"note": "\\"resourceSpans\\": is an OTLP key"}'), undefined);
    assert.equal(detectFormat('a.json', '{"gen_ai.operation.name": "chat"}'), 'otlp');
  });

  it('gives up on empty, non-JSON and binary input', () => {
    assert.equal(detectFormat('a.json', ''), undefined);
    assert.equal(detectFormat('a.json', 'hello: world'), undefined);
    assert.equal(detectFormat('a.json', new Uint8Array([0, 159, 146, 150, 255])), undefined);
  });
});
