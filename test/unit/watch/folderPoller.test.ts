import { strict as assert } from 'node:assert';
import { mkdtemp, mkdir, rm, writeFile, unlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderPoller, changedPaths } from '../../../src/extension/watch/folderPoller';

/** A poller that never polls on its own: each test looks when it wants to (pollNow). */
function manualPoller(): { poller: FolderPoller; seen: string[] } {
  const seen: string[] = [];
  return { poller: new FolderPoller((path) => seen.push(path), 0), seen };
}

describe('FolderPoller: the floor under file events', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'truce-poller-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('what a folder already holds is not a change; a new, a rewritten and a removed file are', async () => {
    await writeFile(join(root, 'manifest.json'), '{}');
    await writeFile(join(root, 'trajectories.jsonl'), 'a\n');
    const { poller, seen } = manualPoller();
    poller.set([root]);
    await poller.pollNow();
    assert.deepEqual(seen, []);

    await writeFile(join(root, 'credit.jsonl'), 'x\n');
    await writeFile(join(root, 'trajectories.jsonl'), 'a\nb\n');
    await unlink(join(root, 'manifest.json'));
    await poller.pollNow();
    assert.deepEqual(seen.sort(), [join(root, 'credit.jsonl'), join(root, 'manifest.json'), join(root, 'trajectories.jsonl')].sort());

    seen.length = 0;
    await poller.pollNow();
    assert.deepEqual(seen, [], 'nothing changed since the last look');
    poller.dispose();
  });

  it('a file rewritten with the same size is seen by its modification time', async () => {
    const file = join(root, 'status.json');
    await writeFile(file, 'aaaa');
    await utimes(file, 1_000, 1_000);
    const { poller, seen } = manualPoller();
    poller.set([root]);
    await poller.pollNow();
    await writeFile(file, 'bbbb');
    await utimes(file, 2_000, 2_000);
    await poller.pollNow();
    assert.deepEqual(seen, [file]);
    poller.dispose();
  });

  it('a folder that appears or goes away is reported as itself; a missing folder is no error', async () => {
    const runs = join(root, '.truce', 'runs');
    const { poller, seen } = manualPoller();
    poller.set([runs]);
    await poller.pollNow();
    assert.deepEqual(seen, []);
    await mkdir(runs, { recursive: true });
    await poller.pollNow();
    assert.deepEqual(seen, [runs]);
    seen.length = 0;
    await rm(runs, { recursive: true });
    await poller.pollNow();
    assert.deepEqual(seen, [runs]);
    poller.dispose();
  });

  it('a sub-folder counts by its presence only: a file made inside a run is not a change of the run list', async () => {
    const run = join(root, '20261207-120000-0001');
    await mkdir(run);
    const { poller, seen } = manualPoller();
    poller.set([root]);
    await poller.pollNow();
    await writeFile(join(run, 'credit.jsonl'), '{}\n');
    await poller.pollNow();
    assert.deepEqual(seen, []);
    await mkdir(join(root, '20261207-120000-0002'));
    await poller.pollNow();
    assert.deepEqual(seen, [join(root, '20261207-120000-0002')]);
    poller.dispose();
  });

  it('a folder dropped from the set is no longer reported; one added later starts from what it holds', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    await mkdir(a);
    await mkdir(b);
    await writeFile(join(b, 'old.json'), '1');
    const { poller, seen } = manualPoller();
    poller.set([a]);
    await poller.pollNow();
    poller.set([b]);
    assert.deepEqual(poller.folders, [b]);
    await writeFile(join(a, 'ignored.json'), '1');
    await poller.pollNow();
    assert.deepEqual(seen, []);
    await writeFile(join(b, 'new.json'), '1');
    await poller.pollNow();
    assert.deepEqual(seen, [join(b, 'new.json')]);
    poller.dispose();
  });

  it('on its own it looks again and again until disposed, and two looks never overlap', async () => {
    const seen: string[] = [];
    const poller = new FolderPoller((path) => seen.push(path), 20);
    poller.set([root]);
    await poller.pollNow();
    await writeFile(join(root, 'live.jsonl'), '1\n');
    const deadline = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(seen, [join(root, 'live.jsonl')]);
    const [first, second] = [poller.pollNow(), poller.pollNow()];
    assert.equal(first, second, 'a look asked for during a look is that look');
    await first;
    poller.dispose();
    await writeFile(join(root, 'after.jsonl'), '1\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(seen, [join(root, 'live.jsonl')], 'nothing after dispose');
  });

  it('each change comes with the window it happened in: after the previous look began, by this one', async () => {
    const windows: Array<[number, number]> = [];
    const poller = new FolderPoller((_path, previousLookAt, lookAt) => windows.push([previousLookAt, lookAt]), 0);
    poller.set([root]);
    await poller.pollNow();
    const beforeWrite = Date.now();
    await writeFile(join(root, 'credit.jsonl'), 'x\n');
    await poller.pollNow();
    const afterLook = Date.now();
    poller.dispose();
    assert.equal(windows.length, 1);
    const [previousLookAt, lookAt] = windows[0];
    assert.ok(previousLookAt <= beforeWrite, 'the previous look began before the write');
    assert.ok(lookAt >= beforeWrite && lookAt <= afterLook, 'this look began after the write');
  });

  it('changedPaths compares two looks entry by entry', () => {
    const before = new Map([['a', '1:1'], ['b', 'folder']]);
    const after = new Map([['a', '2:1'], ['c', '1:1']]);
    assert.deepEqual(changedPaths('/r', before, after).sort(), ['/r/a', '/r/b', '/r/c']);
    assert.deepEqual(changedPaths('/r', null, null), []);
    assert.deepEqual(changedPaths('/r', null, after), ['/r']);
    assert.deepEqual(changedPaths('/r', before, null), ['/r']);
  });
});
