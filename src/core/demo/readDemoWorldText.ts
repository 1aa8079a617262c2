/**
 * Reads the demo world file `demo.world` names, refusing what cannot be one before reading it.
 * truce.yaml comes with the workspace, so the path is confined to the workspace like every path in
 * it; and a demo world is a few kilobytes of YAML, so a device (`/dev/zero`), a named pipe or a
 * file over MAX_DEMO_WORLD_BYTES is refused instead of being read into memory or waited on.
 */
import { FileTooLargeError, NotRegularFileError, readRegularFileWithin } from '../store/readRegularFile';
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
  try {
    return (await readRegularFileWithin(path, MAX_DEMO_WORLD_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new DemoWorldError(`The demo world ${file} is not a regular file (a device, pipe or folder); point demo.world at a YAML file.`);
    if (error instanceof FileTooLargeError) throw tooLarge(file);
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DemoWorldError(`Cannot read the demo world ${file}: ${missing ? 'it does not exist' : (error as Error).message}. Check demo.world in truce.yaml.`);
  }
}

function tooLarge(file: string): DemoWorldError {
  return new DemoWorldError(`The demo world ${file} is larger than ${MAX_DEMO_WORLD_BYTES / (1024 * 1024)} MB, far more than a demo world holds; point demo.world at the world's YAML file.`);
}
