/**
 * P1 CodeLens in the real extension host: the module bench/codeLensHost.mjs hands to code-server
 * as extensionTestsPath (no mocha; `run()` settles when done). It writes a prompt file of about
 * 2,000 policy units into the workspace copy and times `vscode.executeCodeLensProvider` on it —
 * the same provide/resolve calls the editor makes, plus one hop from the extension host to the
 * workbench and back that the editor does not pay.
 *
 * Figures, each over several samples:
 *   - cold: open a fresh copy of the file, then provide + resolve (the visible lenses, or all);
 *   - unchanged: the same document again (the index's parse is cached);
 *   - after a one-line edit: the edit itself, then provide + resolve, timed apart and together,
 *     because the extension re-parses on the change event, before anyone asks for lenses;
 *   - the index's parse of the text, run here in the extension host (the same core function);
 *   - the extension's provider and index classes called directly (its own share, no messages).
 * CodeLens resolve is called by VS Code only for lenses in view, so "visible" (the first
 * `visible` lenses) is what a user waits for; "all" resolves every lens and is the upper bound.
 * Every figure is also taken, in alternation, for a baseline provider that serves the same
 * ranges from memory on a copy of the text (see registerBaselineProvider): the ratio of the two
 * separates the extension's work from the round trips between extension host and workbench.
 *
 * Editors: for the warm figures each side's file is shown in an editor of its own, scrolled to
 * the edited line, as when a user types. The extension then hands over only the lenses near the
 * visible lines (core/editor/lensWindow; a file in no editor gets all of them, so the cold and
 * swapped-language figures are of every lens). The baseline runs twice: once with every lens
 * (`baseline`, the floor for a provider that hands over all of them) and once with the same
 * window (`baselineWindowed`, the fair floor for the extension). VS Code's own CodeLens requests
 * from those editors are switched off while timing (`editor.codeLens`), so only our calls run.
 *
 * Where the time between the two goes:
 *   - phases: the baseline provider notes when VS Code calls it, so one call after an edit splits
 *     into request → provide, provide, provide → first resolve (the lenses travel to the
 *     workbench and the resolve requests back), the resolves, last resolve → answer;
 *   - language: a prompt file is in VS Code's `prompt` language (`*.prompt.md`), the baseline's
 *     copy in plain text. Both are also timed with the languages swapped (the extension's copy as
 *     plain text, the baseline's as a prompt), which shows what the language itself costs.
 *
 * Talks back through the environment (the extension host inherits code-server's):
 *   TRUCE_BENCH_RESULT_FILE   where the JSON result goes
 *   TRUCE_BENCH_OPTIONS       JSON {units, samples, visible, coldFiles, profile?}
 *   TRUCE_BENCH_LINE_PREFIX   mark of progress lines on the console (the runner forwards them)
 */
import * as fs from 'node:fs/promises';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { generatePrompt } from '../../../bench/generatePrompt';
import { LENS_WINDOW_POLICY, lensWindow, lineInWindow, type LineSpan } from '../../../src/core/editor/lensWindow';
import { allUnits, detectFormat, parsePromptDocument } from '../../../src/core/units';
import { UnitCodeLensProvider } from '../../../src/extension/codeLensProvider';
import { PromptDocumentIndex } from '../../../src/extension/documentIndex';

const EXTENSION_ID = 'truce-dev.truce-vscode';
/** The baseline provider's lenses link to this id; it is never run. */
const BASELINE_COMMAND = 'truce.bench.baselineLens';
const LENS_COMMANDS = new Set(['truce.showUnitDetails', 'truce.showUnitEvidence', BASELINE_COMMAND]);

/** When a baseline provider was last called (performance.now() of this extension host). */
interface ProviderClock {
  provideStart: number;
  provideEnd: number;
  firstResolve: number;
  lastResolve: number;
  resolves: number;
}
const newClock = (): ProviderClock => ({ provideStart: 0, provideEnd: 0, firstResolve: 0, lastResolve: 0, resolves: 0 });
/** Start and end of the last `lenses` call. */
const lastCall = { started: 0, ended: 0 };

interface Options {
  units: number;
  samples: number;
  visible: number;
  coldFiles: number;
  /** Where to write a CPU profile of this extension host over the warm samples (none when unset). */
  profile?: string;
}

const options: Options = { units: 2000, samples: 15, visible: 50, coldFiles: 4, ...JSON.parse(process.env.TRUCE_BENCH_OPTIONS ?? '{}') };
const linePrefix = process.env.TRUCE_BENCH_LINE_PREFIX ?? '';
const progress = (text: string) => console.log(`${linePrefix}${text}`);

function unitCount(text: string, path: string): number {
  return allUnits(parsePromptDocument(text, { uri: path, format: detectFormat(path, text) })).length;
}

/**
 * The smallest generated prompt with at least `target` units. generatePrompt adds whole agent
 * blocks until it reaches a byte size, so the count lands on a block boundary just above `target`.
 */
function promptWithUnits(target: number, path: string): { text: string; units: number } {
  let high = 4096;
  while (unitCount(generatePrompt(high), path) < target) high *= 2;
  let low = high / 2;
  while (high - low > 256) {
    const middle = Math.floor((low + high) / 2);
    if (unitCount(generatePrompt(middle), path) >= target) high = middle;
    else low = middle;
  }
  const text = generatePrompt(high);
  return { text, units: unitCount(text, path) };
}

interface Summary {
  samples: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  allMs: number[];
}

function summarize(times: number[]): Summary {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (x: number) => Number(x.toFixed(2));
  return { samples: sorted.length, medianMs: round(at(0.5)), p95Ms: round(at(0.95)), minMs: round(sorted[0]), maxMs: round(sorted[sorted.length - 1]), allMs: times.map(round) };
}

/**
 * One provide + resolve through the command; checks the answer so an empty result cannot pass as
 * fast. With `resolveCount` VS Code resolves the first that many lenses and returns only those;
 * without it, it resolves none and returns them all (provide only). `units` is how many lenses
 * the provider hands over (fewer than the file's units when it windows).
 */
async function lenses(uri: vscode.Uri, resolveCount: number | undefined, units: number): Promise<number> {
  const started = performance.now();
  const result = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, resolveCount);
  const ms = performance.now() - started;
  lastCall.started = started;
  lastCall.ended = started + ms;
  const resolved = result.filter((lens) => LENS_COMMANDS.has(lens.command?.command ?? '')).length;
  const expected = resolveCount === undefined ? { returned: units, resolved: 0 } : { returned: Math.min(resolveCount, units), resolved: Math.min(resolveCount, units) };
  if (result.length !== expected.returned || resolved !== expected.resolved) {
    throw new Error(`${result.length} lenses (${resolved} resolved) on ${uri.path} for resolveCount ${resolveCount}, expected ${expected.returned} (${expected.resolved} resolved)`);
  }
  return ms;
}

/** Replaces one word in the middle of a bullet line; the unit count stays the same. */
async function oneLineEdit(document: vscode.TextDocument, round: number): Promise<void> {
  const text = document.getText();
  const at = text.indexOf('\n- ', Math.floor(text.length / 2)) + 3;
  const edit = new vscode.WorkspaceEdit();
  const word = text.slice(at, text.indexOf(' ', at));
  edit.replace(document.uri, new vscode.Range(document.positionAt(at), document.positionAt(at + word.length)), round % 2 === 0 ? 'mind' : 'heed');
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the one-line edit was rejected');
}

/** A file whose lenses one side serves: the extension's provider, or a baseline's. */
interface Subject {
  uri(copy: number): vscode.Uri;
  /** How many lenses the side hands over for the shown warm file (set once it is shown). */
  warmLenses: number;
  cold: Record<'visibleOpenToLenses' | 'visibleCall' | 'allOpenToLenses' | 'allCall', number[]>;
  unchanged: Record<'provideOnly' | 'visible' | 'all', number[]>;
  afterOneLineEdit: Record<'editMs' | 'provideOnly' | 'visible' | 'all' | 'editThenVisible' | 'editThenAll', number[]>;
}

function subject(uri: (copy: number) => vscode.Uri): Subject {
  return {
    uri,
    warmLenses: 0,
    cold: { visibleOpenToLenses: [], visibleCall: [], allOpenToLenses: [], allCall: [] },
    unchanged: { provideOnly: [], visible: [], all: [] },
    afterOneLineEdit: { editMs: [], provideOnly: [], visible: [], all: [], editThenVisible: [], editThenAll: [] },
  };
}

/**
 * The floor that VS Code's own machinery sets: a provider that hands back the same lens ranges
 * from memory and resolves each with a fixed title, on a copy of the same text that is not a
 * prompt file. Whatever the extension's figures add to this is the extension's own work. With
 * `windowed`, it hands over only the lenses the extension's window rule would (see the header).
 */
function registerBaselineProvider(ranges: vscode.Range[], pattern: string, clock: ProviderClock, windowed: boolean): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider(
    { scheme: 'file', pattern },
    {
      provideCodeLenses: (document) => {
        clock.provideStart = performance.now();
        clock.resolves = 0;
        const window = windowed ? benchWindow(document, ranges.length) : undefined;
        const shown = window ? ranges.filter((range) => lineInWindow(window, range.start.line)) : ranges;
        const lenses = shown.map((range) => new vscode.CodeLens(range));
        clock.provideEnd = performance.now();
        return lenses;
      },
      resolveCodeLens: (lens) => {
        const now = performance.now();
        if (clock.resolves++ === 0) clock.firstResolve = now;
        clock.lastResolve = now;
        lens.command = { title: `Rule ${lens.range.start.line} · bullet`, command: BASELINE_COMMAND };
        return lens;
      },
    },
  );
}

/** The extension's window rule (CodeLensWindowTracker.linesFor) for a document of `units` units. */
function benchWindow(document: vscode.TextDocument, units: number): LineSpan[] | undefined {
  if (units <= LENS_WINDOW_POLICY.minUnits) return undefined;
  const visible = vscode.window.visibleTextEditors
    .filter((editor) => editor.document.uri.toString() === document.uri.toString())
    .flatMap((editor) => editor.visibleRanges.map((range) => ({ first: range.start.line, last: range.end.line })));
  return visible.length > 0 ? lensWindow(visible, document.lineCount, LENS_WINDOW_POLICY.marginLines) : undefined;
}

/** The line of the one-line edit (oneLineEdit), where the warm editors are scrolled to. */
function editedLine(document: vscode.TextDocument): number {
  const text = document.getText();
  return document.positionAt(text.indexOf('\n- ', Math.floor(text.length / 2)) + 3).line;
}

/**
 * Shows each side's warm file in an editor of its own, centred on the edited line, and waits until
 * the extension host knows the visible ranges (the editor reports them a moment after showing).
 */
async function showWarmFiles(documents: vscode.TextDocument[]): Promise<void> {
  for (const [column, document] of documents.entries()) {
    const editor = await vscode.window.showTextDocument(document, { viewColumn: column + 1, preview: false });
    const line = editedLine(document);
    editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenter);
  }
  const deadline = Date.now() + 30_000;
  const centred = () =>
    documents.every((document) => {
      const line = editedLine(document);
      return vscode.window.visibleTextEditors.some((editor) => editor.document === document && editor.visibleRanges.some((range) => range.start.line <= line && line <= range.end.line));
    });
  while (!centred()) {
    if (Date.now() > deadline) throw new Error('the warm editors never showed the edited line');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many lenses a side hands over for its shown warm file: the window's, or all when it does not window. */
async function handedOver(uri: vscode.Uri, units: number): Promise<number> {
  const result = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  if (result.length === 0 || result.length > units) throw new Error(`${result.length} lenses on ${uri.path}, expected 1 to ${units}`);
  return result.length;
}

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  await extension.activate();
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the extension host has no workspace folder');

  const ours = subject((copy) => vscode.Uri.joinPath(folder.uri, 'prompts', `bench-units-${copy}.prompt.md`));
  const baseline = subject((copy) => vscode.Uri.joinPath(folder.uri, `bench-baseline-${copy}.txt`));
  const baselineWindowed = subject((copy) => vscode.Uri.joinPath(folder.uri, `bench-windowed-${copy}.txt`));
  const sides = [ours, baseline, baselineWindowed];
  const { text, units } = promptWithUnits(options.units, ours.uri(0).path);
  // Copies 0 (warm), 1…2·coldFiles (cold) and one more for the swapped-language figures.
  const swapCopy = options.coldFiles * 2 + 1;
  for (let copy = 0; copy <= swapCopy; copy++) {
    for (const side of sides) await fs.writeFile(side.uri(copy).fsPath, text);
  }
  const parsed = parsePromptDocument(text, { uri: ours.uri(0).path, format: detectFormat(ours.uri(0).path, text) });
  const ranges = allUnits(parsed).map(({ range: { start, end } }) => new vscode.Range(start.line, start.character, end.line, end.character));
  const clocks = { baseline: newClock(), baselineWindowed: newClock() };
  const baselineRegistrations = [
    registerBaselineProvider(ranges, '**/bench-baseline-*.txt', clocks.baseline, false),
    registerBaselineProvider(ranges, '**/bench-windowed-*.txt', clocks.baselineWindowed, true),
  ];
  progress(`prompt file: ${units} units, ${text.length} characters, ${text.split('\n').length} lines`);

  // The index's work: detect the format and parse the whole text (what it does on a cache miss).
  const parseTimes: number[] = [];
  for (let i = 0; i < options.samples + 2; i++) {
    const started = performance.now();
    unitCount(text, ours.uri(0).path);
    if (i >= 2) parseTimes.push(performance.now() - started);
  }

  // Both sides in alternation throughout, so that load from elsewhere on the machine hits both.
  // Cold: a document never opened before. open→lenses counts what the extension does on open
  // as well as the lens call.
  for (let copy = 1; copy <= options.coldFiles * 2; copy++) {
    const all = copy % 2 === 0;
    for (const side of sides) {
      const opened = performance.now();
      await vscode.workspace.openTextDocument(side.uri(copy));
      const callMs = await lenses(side.uri(copy), all ? units : options.visible, units);
      side.cold[all ? 'allOpenToLenses' : 'visibleOpenToLenses'].push(performance.now() - opened);
      side.cold[all ? 'allCall' : 'visibleCall'].push(callMs);
    }
  }
  progress(`cold: ${options.coldFiles * 2} files per side`);

  const documents = new Map<Subject, vscode.TextDocument>();
  for (const side of sides) documents.set(side, await vscode.workspace.openTextDocument(side.uri(0)));
  const codeLensSetting = vscode.workspace.getConfiguration('editor').inspect<boolean>('codeLens')?.workspaceValue;
  await vscode.workspace.getConfiguration('editor').update('codeLens', false, vscode.ConfigurationTarget.Workspace);
  await showWarmFiles(sides.map((side) => documents.get(side)!));
  for (const side of sides) {
    side.warmLenses = await handedOver(side.uri(0), units);
    await lenses(side.uri(0), side.warmLenses, side.warmLenses);
  }
  if (baseline.warmLenses !== units) throw new Error(`the unwindowed baseline handed over ${baseline.warmLenses} lenses, expected ${units}`);
  progress(`warm files shown; lenses handed over: extension ${ours.warmLenses}, baseline ${baseline.warmLenses}, windowed baseline ${baselineWindowed.warmLenses}`);
  // The same two files with their languages swapped (see the header).
  const swapped = {
    oursAsPlainText: { uri: ours.uri(swapCopy), language: 'plaintext', editMs: [] as number[], visible: [] as number[] },
    baselineAsPrompt: { uri: baseline.uri(swapCopy), language: 'prompt', editMs: [] as number[], visible: [] as number[] },
  };
  const languages = await vscode.languages.getLanguages();
  const swappedDocuments = new Map<(typeof swapped)[keyof typeof swapped], vscode.TextDocument>();
  for (const side of Object.values(swapped)) {
    if (!languages.includes(side.language)) continue;
    swappedDocuments.set(side, await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(side.uri), side.language));
    await lenses(side.uri, units, units);
  }
  const profiler = options.profile ? await startProfile() : undefined;
  const newPhases = () => ({ requestToProvide: [] as number[], provide: [] as number[], provideToFirstResolve: [] as number[], resolves: [] as number[], lastResolveToAnswer: [] as number[] });
  const phases = { baseline: newPhases(), baselineWindowed: newPhases() };
  let round = 0;
  for (let i = 0; i < options.samples; i++) {
    for (const side of sides) {
      const uri = side.uri(0);
      const handed = side.warmLenses;
      side.unchanged.provideOnly.push(await lenses(uri, undefined, handed));
      side.unchanged.visible.push(await lenses(uri, options.visible, handed));
      side.unchanged.all.push(await lenses(uri, handed, handed));
      for (const kind of ['provideOnly', 'visible', 'all'] as const) {
        const started = performance.now();
        await oneLineEdit(documents.get(side)!, round++);
        const editMs = performance.now() - started;
        const callMs = await lenses(uri, kind === 'provideOnly' ? undefined : kind === 'visible' ? options.visible : handed, handed);
        side.afterOneLineEdit.editMs.push(editMs);
        side.afterOneLineEdit[kind].push(callMs);
        if (kind === 'visible') side.afterOneLineEdit.editThenVisible.push(editMs + callMs);
        if (kind === 'all') side.afterOneLineEdit.editThenAll.push(editMs + callMs);
        const clock = side === baseline ? clocks.baseline : side === baselineWindowed ? clocks.baselineWindowed : undefined;
        const sidePhases = side === baseline ? phases.baseline : phases.baselineWindowed;
        if (kind === 'visible' && clock) {
          sidePhases.requestToProvide.push(clock.provideStart - lastCall.started);
          sidePhases.provide.push(clock.provideEnd - clock.provideStart);
          sidePhases.provideToFirstResolve.push(clock.firstResolve - clock.provideEnd);
          sidePhases.resolves.push(clock.lastResolve - clock.firstResolve);
          sidePhases.lastResolveToAnswer.push(lastCall.ended - clock.lastResolve);
        }
      }
    }
    for (const [side, document] of swappedDocuments) {
      const started = performance.now();
      await oneLineEdit(document, round++);
      side.editMs.push(performance.now() - started);
      side.visible.push(await lenses(side.uri, options.visible, units));
    }
  }
  for (const registration of baselineRegistrations) registration.dispose();
  await vscode.workspace.getConfiguration('editor').update('codeLens', codeLensSetting, vscode.ConfigurationTarget.Workspace);
  if (profiler) await fs.writeFile(options.profile!, JSON.stringify(await profiler.stop()));
  progress(`warm: ${options.samples} samples of each`);

  // The extension's own share, without any round trip: its index and provider classes, called
  // directly on the same document (a workspace without runs, as here, has no credit to look up).
  const log = vscode.window.createOutputChannel('TRUCE CodeLens benchmark', { log: true });
  const index = new PromptDocumentIndex(log);
  const provider = new UnitCodeLensProvider(index);
  const document = documents.get(ours)!;
  const direct = { provideAfterEdit: [] as number[], provideCached: [] as number[], resolveVisible: [] as number[], resolveAll: [] as number[] };
  for (let i = 0; i < options.samples; i++) {
    await oneLineEdit(document, round++);
    let started = performance.now();
    const provided = provider.provideCodeLenses(document);
    direct.provideAfterEdit.push(performance.now() - started);
    if (provided.length !== units) throw new Error(`the provider gave ${provided.length} lenses, expected ${units}`);
    started = performance.now();
    provider.provideCodeLenses(document);
    direct.provideCached.push(performance.now() - started);
    started = performance.now();
    for (const lens of provided.slice(0, options.visible)) provider.resolveCodeLens(lens);
    direct.resolveVisible.push(performance.now() - started);
    started = performance.now();
    for (const lens of provided) provider.resolveCodeLens(lens);
    direct.resolveAll.push(performance.now() - started);
    if (!provided.every((lens) => lens.command?.command)) throw new Error('a lens stayed unresolved');
  }
  index.dispose();
  log.dispose();

  const summaries = <K extends string>(groups: Record<K, number[]>) =>
    Object.fromEntries(Object.entries<number[]>(groups).map(([key, times]) => [key, summarize(times)])) as Record<K, Summary>;
  const figures = (side: Subject) => ({ cold: summaries(side.cold), unchanged: summaries(side.unchanged), afterOneLineEdit: summaries(side.afterOneLineEdit) });
  const extensionFigures = figures(ours);
  const baselineFigures = figures(baseline);
  const baselineWindowedFigures = figures(baselineWindowed);
  const ratioTo = (floor: ReturnType<typeof figures>) => (pick: (f: ReturnType<typeof figures>) => Summary) => Number((pick(extensionFigures).medianMs / pick(floor).medianMs).toFixed(2));
  const ratio = ratioTo(baselineFigures);
  const ratioWindowed = ratioTo(baselineWindowedFigures);
  const result = {
    vscodeVersion: vscode.version,
    file: { units, characters: text.length, lines: text.split('\n').length },
    visibleLenses: options.visible,
    // Lenses handed over for the shown warm file: the window's count, or the file's units.
    lensesHandedOver: { extension: ours.warmLenses, baseline: baseline.warmLenses, baselineWindowed: baselineWindowed.warmLenses },
    indexParse: summarize(parseTimes),
    // Provider and index called in-process: the extension's work with no messages involved.
    direct: summaries(direct),
    // One baseline call (visible lenses after an edit) split at the moments VS Code called the provider.
    baselinePhases: summaries(phases.baseline),
    baselineWindowedPhases: summaries(phases.baselineWindowed),
    // The languages swapped: what VS Code's `prompt` language costs either side.
    swappedLanguages: Object.fromEntries(
      Object.entries(swapped).map(([name, side]) => [name, swappedDocuments.has(side) ? { language: side.language, editMs: summarize(side.editMs), visibleAfterEdit: summarize(side.visible) } : { language: side.language, skipped: 'language not known to this VS Code' }]),
    ),
    extension: extensionFigures,
    baseline: baselineFigures,
    baselineWindowed: baselineWindowedFigures,
    // Medians of the extension over the baseline's: 1.0 means VS Code's machinery is all there is.
    ratioVsBaseline: {
      coldOpenToVisible: ratio((f) => f.cold.visibleOpenToLenses),
      unchangedVisible: ratio((f) => f.unchanged.visible),
      editThenVisible: ratio((f) => f.afterOneLineEdit.editThenVisible),
      visibleAfterEdit: ratio((f) => f.afterOneLineEdit.visible),
      allAfterEdit: ratio((f) => f.afterOneLineEdit.all),
      provideOnlyAfterEdit: ratio((f) => f.afterOneLineEdit.provideOnly),
    },
    // The same over the windowed baseline: what the extension adds to a provider windowing alike.
    ratioVsWindowedBaseline: {
      visibleAfterEdit: ratioWindowed((f) => f.afterOneLineEdit.visible),
      editThenVisible: ratioWindowed((f) => f.afterOneLineEdit.editThenVisible),
    },
  };
  const target = process.env.TRUCE_BENCH_RESULT_FILE;
  if (!target) throw new Error('TRUCE_BENCH_RESULT_FILE is not set: nowhere to write the result');
  await fs.writeFile(target, `${JSON.stringify(result)}\n`);
}

/** The extension host's own CPU profiler (the inspector protocol, no debugger attached). */
async function startProfile(): Promise<{ stop(): Promise<unknown> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      return profile;
    },
  };
}
