/**
 * A JSON file the store writes only once there is something to say (credit.json, prompts.json,
 * suggestions.json): its value, or undefined when the file is absent. Any other failure (unreadable,
 * not JSON) is thrown, so a damaged file is never taken for a missing one.
 */
import { readFile } from 'node:fs/promises';

export async function readJsonIfPresent<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    // The engine's words ("Unexpected end of JSON input") name neither the file nor a way out.
    throw new DamagedJsonFileError(path, (error as Error).message);
  }
}

export class DamagedJsonFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} is damaged (${reason}): it was cut short or edited by hand; move it aside and run the command that wrote it again`);
    this.name = 'DamagedJsonFileError';
  }
}
