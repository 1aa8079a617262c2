import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputPathError, writeOutputFile } from '../../../src/core/store';
import { tempDir } from '../llm/helpers';

describe('writeOutputFile (--out)', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('out')));
  afterEach(() => dir.remove());

  it('writes a new file, and replaces an existing one keeping its permission bits', async () => {
    const fresh = join(dir.path, 'sub', 'report.md');
    await writeOutputFile(fresh, 'one');
    assert.equal(readFileSync(fresh, 'utf8'), 'one');
    const private_ = join(dir.path, 'private.md');
    writeFileSync(private_, 'old');
    chmodSync(private_, 0o600);
    await writeOutputFile(private_, 'new');
    assert.equal(readFileSync(private_, 'utf8'), 'new');
    assert.equal(statSync(private_).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir.path).sort(), ['private.md', 'sub']);
  });

  it('writes through a symbolic link, which stays a link, and through a dangling one', async () => {
    const shared = join(dir.path, 'shared.md');
    writeFileSync(shared, 'SHARED');
    const link = join(dir.path, 'out.link');
    symlinkSync('shared.md', link);
    await writeOutputFile(link, 'report');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), 'shared.md');
    assert.equal(readFileSync(shared, 'utf8'), 'report');
    const dangling = join(dir.path, 'dangling.link');
    symlinkSync('later.md', dangling);
    await writeOutputFile(dangling, 'created');
    assert.ok(lstatSync(dangling).isSymbolicLink());
    assert.equal(readFileSync(join(dir.path, 'later.md'), 'utf8'), 'created');
  });

  it('writes into a named pipe instead of replacing it with a file', async function () {
    if (process.platform === 'win32') this.skip();
    const fifo = join(dir.path, 'out.fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) this.skip();
    const reader = spawn('cat', [fifo]);
    let read = '';
    reader.stdout.on('data', (chunk: Buffer) => (read += chunk.toString()));
    const closed = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    try {
      await writeOutputFile(fifo, 'through the pipe');
      await closed;
    } finally {
      // A write that replaced the pipe would leave the reader waiting for a writer forever.
      reader.kill();
    }
    assert.equal(read, 'through the pipe');
    assert.ok(lstatSync(fifo).isFIFO(), 'the pipe is still a pipe');
  });

  it('writes into a device node and leaves it a device', async function () {
    if (process.platform === 'win32') this.skip();
    // A node of its own (the null device's numbers), so that a broken write replaces nothing outside
    // this test's folder; creating one needs root, as replacing /dev/null would.
    const device = join(dir.path, 'out.null');
    if (spawnSync('mknod', ['-m', '666', device, 'c', '1', '3']).status !== 0) this.skip();
    await writeOutputFile(device, 'discarded');
    assert.ok(lstatSync(device).isCharacterDevice());
  });

  it('refuses a folder, and anything inside the .truce folder, saying why and changing nothing', async () => {
    const folder = join(dir.path, 'reports');
    mkdirSync(folder);
    await assert.rejects(writeOutputFile(folder, 'x'), (e: Error) => e instanceof OutputPathError && /is a folder; --out takes a file name/.test(e.message));
    assert.deepEqual(readdirSync(folder), []);
    const summary = join(dir.path, '.truce', 'runs', 'r1', 'summary.json');
    mkdirSync(join(dir.path, '.truce', 'runs', 'r1'), { recursive: true });
    writeFileSync(summary, '{"kept":true}');
    await assert.rejects(writeOutputFile(summary, 'report'), (e: Error) => e instanceof OutputPathError && /inside TRUCE's \.truce folder/.test(e.message));
    assert.equal(readFileSync(summary, 'utf8'), '{"kept":true}');
    // A link that leads into .truce is refused by where it leads: the file itself, a folder above
    // it, or a file of .truce that does not exist yet; and .TRUCE too (one folder where case is ignored).
    const sneaky = join(dir.path, 'sneaky.json');
    symlinkSync(summary, sneaky);
    await assert.rejects(writeOutputFile(sneaky, 'report'), OutputPathError);
    symlinkSync(join(dir.path, '.truce', 'runs', 'r1'), join(dir.path, 'out'));
    await assert.rejects(writeOutputFile(join(dir.path, 'out', 'summary.json'), 'report'), OutputPathError);
    symlinkSync(join(dir.path, '.truce', 'ledger.jsonl'), join(dir.path, 'later.json'));
    await assert.rejects(writeOutputFile(join(dir.path, 'later.json'), 'report'), OutputPathError);
    await assert.rejects(writeOutputFile(join(dir.path, '.TRUCE', 'x.md'), 'report'), OutputPathError);
    assert.equal(readFileSync(summary, 'utf8'), '{"kept":true}');
    assert.ok(!existsSync(join(dir.path, '.truce', 'ledger.jsonl')));
  });
});
