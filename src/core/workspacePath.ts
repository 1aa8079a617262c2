/**
 * Keeps every file TRUCE reads or writes on behalf of a configuration, a stored run or the ledger
 * inside the workspace. A lexical check alone is not enough: `prompts/a.md` may be a symbolic link
 * to `/etc/…`, and a suggestions.json or ledger.jsonl copied from elsewhere may name `../x`. So a
 * path is accepted only when it is relative, stays inside lexically, and its real location (the
 * file itself, or its nearest existing ancestor when it does not exist yet) is inside the real
 * location of the workspace.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export class OutsideWorkspaceError extends Error {
  constructor(
    readonly file: string,
    readonly why: string,
  ) {
    super(`The path "${file}" is outside the workspace (${why}); TRUCE only reads and writes files inside the workspace folder.`);
  }
}

/** True when `child` is `parent` or lies below it (both absolute and normalised). */
export function isWithin(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** The real path of `abs`, or of its nearest existing ancestor joined with the rest. */
export function realLocation(abs: string): string {
  let existing = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync.native(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return abs;
      rest.push(existing.slice(parent.length).replace(/^[\\/]/, ''));
      existing = parent;
    }
  }
}

/** Why `file` (relative to `workspaceRoot`) escapes the workspace, or undefined when it does not. */
export function workspaceEscape(workspaceRoot: string, file: string): string | undefined {
  const normalized = file.replace(/\\/g, '/');
  if (isAbsolute(normalized) || /^[A-Za-z]:/.test(normalized)) return 'it is an absolute path';
  const root = resolve(workspaceRoot);
  const abs = resolve(root, normalized);
  if (!isWithin(root, abs)) return 'it climbs out with ".."';
  if (!isWithin(realLocation(root), realLocation(abs))) return 'it leads out through a symbolic link';
  return undefined;
}

/** The absolute path of `file` inside the workspace; throws OutsideWorkspaceError when it escapes. */
export function resolveInsideWorkspace(workspaceRoot: string, file: string): string {
  const why = workspaceEscape(workspaceRoot, file);
  if (why) throw new OutsideWorkspaceError(file, why);
  return resolve(workspaceRoot, file.replace(/\\/g, '/'));
}
