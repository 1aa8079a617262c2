/**
 * Reads the demo world file `demo.world` names, refusing what cannot be one before reading it.
 * truce.yaml comes with the workspace, so the path is confined to the workspace like every path in
 * it; and a demo world is a few kilobytes of YAML, so a device (`/dev/zero`), a named pipe or a
 * file over MAX_DEMO_WORLD_BYTES is refused instead of being read into memory or waited on.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { OutsideWorkspaceError, resolveInsideWorkspace } from '../workspacePath';
import { DemoWorldError } from './demoWorldFile';

/** The example's world is about 3 KB; a megabyte is far beyond any hand-written one. */
export const MAX_DEMO_WORLD_BYTES = 1024 * 1024;

export async function readDemoWorldText(workspaceRoot: string, file: string): Promise<string> {
  let path: string;
  try {
    path = resolveInsideWorkspace(workspaceRoot, file);
  } catch (error) {
    if (!(error instanceof OutsideWorkspaceError)) throw error;
    throw new DemoWorldError(`The demo world ${file} is outside the workspace (${error.why}); TRUCE reads only files inside the folder of truce.yaml. Point demo.world at a file there.`);
  }
  let handle;
  try {
    // Non-blocking, so opening a named pipe returns at once instead of waiting for a writer.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DemoWorldError(`Cannot read the demo world ${file}: ${missing ? 'it does not exist' : (error as Error).message}. Check demo.world in truce.yaml.`);
  }
  try {
    // Judged on the opened file, so what is read is what was checked.
    const info = await handle.stat();
    if (!info.isFile()) throw new DemoWorldError(`The demo world ${file} is not a regular file (a device, pipe or folder); point demo.world at a YAML file.`);
    if (info.size > MAX_DEMO_WORLD_BYTES) throw tooLarge(file);
    // One byte over the limit is read, to notice a file that grew after the check.
    const buffer = Buffer.alloc(MAX_DEMO_WORLD_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_DEMO_WORLD_BYTES) throw tooLarge(file);
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}

function tooLarge(file: string): DemoWorldError {
  return new DemoWorldError(`The demo world ${file} is larger than ${MAX_DEMO_WORLD_BYTES / (1024 * 1024)} MB, far more than a demo world holds; point demo.world at the world's YAML file.`);
}
