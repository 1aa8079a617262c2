import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DamagedJsonFileError, readJsonIfPresent } from '../../../src/core/store';
import { tempDir } from '../llm/helpers';

describe('readJsonIfPresent', () => {
  let temp: ReturnType<typeof tempDir>;
  let dir: string;
  before(() => {
    temp = tempDir('json');
    dir = temp.path;
  });
  after(() => temp.remove());

  it('reads the value, and gives undefined for an absent file', async () => {
    await writeFile(join(dir, 'a.json'), '{"round": 2}');
    assert.deepEqual(await readJsonIfPresent(join(dir, 'a.json')), { round: 2 });
    assert.equal(await readJsonIfPresent(join(dir, 'missing.json')), undefined);
  });

  it('throws for a damaged file or a folder, instead of taking either for a missing file', async () => {
    await writeFile(join(dir, 'torn.json'), '{"round": ');
    await assert.rejects(readJsonIfPresent(join(dir, 'torn.json')), (e: Error) => e instanceof DamagedJsonFileError && e.message.startsWith(`${join(dir, 'torn.json')} is damaged (`) && /run the command that wrote it again/.test(e.message));
    await assert.rejects(readJsonIfPresent(dir), { code: 'EISDIR' });
  });
});
