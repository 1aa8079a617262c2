import { strict as assert } from 'node:assert';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileChangedError, replaceUserFile, writeFileAtomic, writeJsonAtomic } from '../../../src/core/store';
import { tempDir } from '../llm/helpers';

describe('writeFileAtomic', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('atomic')));
  afterEach(() => dir.remove());

  it('replaces the whole file and leaves no temporary file behind', async () => {
    const file = join(dir.path, 'manifest.json');
    writeFileSync(file, '{"old":true}');
    await writeJsonAtomic(file, { new: true });
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { new: true });
    assert.deepEqual(readdirSync(dir.path), ['manifest.json']);
  });

  it('leaves the target as it was and cleans up when the rename fails', async () => {
    const target = join(dir.path, 'summary.json');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    await assert.rejects(writeFileAtomic(target, 'data'));
    assert.deepEqual(readdirSync(dir.path), ['summary.json']);
    assert.deepEqual(readdirSync(target), ['keep']);
  });

  it('creates missing folders', async () => {
    const file = join(dir.path, 'a', 'b', 'c.txt');
    await writeFileAtomic(file, 'hello');
    assert.equal(readFileSync(file, 'utf8'), 'hello');
  });

  it('replaces a user file only if it still holds the bytes the new content was made from', async () => {
    const file = join(dir.path, 'prompt.md');
    writeFileSync(file, 'v1');
    await replaceUserFile(file, 'v2', Buffer.from('v1'));
    assert.equal(readFileSync(file, 'utf8'), 'v2');
    // Someone saved v3 since the caller read v2: refused, v3 kept, no temporary file left.
    writeFileSync(file, 'v3');
    await assert.rejects(replaceUserFile(file, 'v4', Buffer.from('v2')), FileChangedError);
    assert.equal(readFileSync(file, 'utf8'), 'v3');
    assert.deepEqual(readdirSync(dir.path), ['prompt.md']);
  });
});
