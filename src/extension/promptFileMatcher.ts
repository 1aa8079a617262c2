import * as vscode from 'vscode';

/** Setting keys read by the matcher; the defaults live in package.json `contributes.configuration`. */
export const PROMPT_FILES_SECTION = 'truce.promptFiles';
const INCLUDE_KEY = 'include';
const EXCLUDE_KEY = 'exclude';

/**
 * Schemes whose documents are real files the user edits: local files, files of a remote or virtual
 * workspace, and VS Code's user-data folder (where user-level `.prompt.md` files live). Diff views
 * (`git:`), output channels and other read-only renderings are deliberately left out.
 */
const PROMPT_FILE_SCHEMES = ['file', 'vscode-remote', 'vscode-vfs', 'vscode-userdata'] as const;

interface GlobSettings {
  include: vscode.DocumentFilter[];
  exclude: vscode.DocumentFilter[];
}

/**
 * Decides which documents are prompt files from `truce.promptFiles.include` / `.exclude`.
 *
 * Matching goes through `vscode.languages.match` with glob DocumentFilters, so the globs mean
 * exactly what they mean everywhere else in VS Code. The settings are resource-scoped: each
 * workspace folder's globs are anchored to that folder with a RelativePattern (so `prompts/*.md`
 * works as a folder-relative glob), and a document is judged by the settings of its own folder.
 * Documents outside every folder use the window-level settings, matched against their full path.
 *
 * An instance is immutable; the index builds a new one when settings or folders change.
 */
export class PromptFileMatcher {
  private constructor(
    private readonly byFolder: ReadonlyMap<string, GlobSettings>,
    private readonly outsideFolders: GlobSettings,
  ) {}

  static fromWorkspace(): PromptFileMatcher {
    const byFolder = new Map<string, GlobSettings>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const config = vscode.workspace.getConfiguration(PROMPT_FILES_SECTION, folder.uri);
      byFolder.set(folder.uri.toString(), {
        include: toFilters(readGlobs(config, INCLUDE_KEY), (glob) => new vscode.RelativePattern(folder, glob)),
        exclude: toFilters(readGlobs(config, EXCLUDE_KEY), (glob) => new vscode.RelativePattern(folder, glob)),
      });
    }
    const windowConfig = vscode.workspace.getConfiguration(PROMPT_FILES_SECTION);
    const outsideFolders: GlobSettings = {
      include: toFilters(readGlobs(windowConfig, INCLUDE_KEY), (glob) => glob),
      exclude: toFilters(readGlobs(windowConfig, EXCLUDE_KEY), (glob) => glob),
    };
    return new PromptFileMatcher(byFolder, outsideFolders);
  }

  /**
   * Every include filter of every folder. Providers register with this selector; it cannot
   * express exclusions, so providers still ask {@link matches} before doing any work.
   */
  get selector(): vscode.DocumentFilter[] {
    const filters = [...this.outsideFolders.include];
    for (const settings of this.byFolder.values()) filters.push(...settings.include);
    return filters;
  }

  matches(document: vscode.TextDocument): boolean {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const settings = (folder && this.byFolder.get(folder.uri.toString())) ?? this.outsideFolders;
    return (
      vscode.languages.match(settings.include, document) > 0 && vscode.languages.match(settings.exclude, document) === 0
    );
  }
}

function readGlobs(config: vscode.WorkspaceConfiguration, key: string): string[] {
  const value = config.get<unknown>(key);
  if (!Array.isArray(value)) return [];
  // A hand-edited settings.json may hold non-strings or blanks; skip them rather than fail.
  return value.filter((glob): glob is string => typeof glob === 'string' && glob.trim() !== '');
}

function toFilters(globs: string[], pattern: (glob: string) => vscode.GlobPattern): vscode.DocumentFilter[] {
  const filters: vscode.DocumentFilter[] = [];
  for (const glob of globs) {
    for (const scheme of PROMPT_FILE_SCHEMES) filters.push({ scheme, pattern: pattern(glob) });
  }
  return filters;
}
