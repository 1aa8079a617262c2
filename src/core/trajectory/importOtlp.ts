/**
 * OTLP traces → trajectories, one per trace.
 *
 * Steps. A model call (GenAI chat/completion span, OpenInference LLM span, OpenLLMetry LLM span)
 * is an `llm` step; when model spans are nested (a framework span around an SDK span, both
 * instrumented) only the innermost counts, so one call is one step. A tool span becomes a
 * `tool_call` (what was asked) and a `tool_result` (what came back). An agent span with no steps
 * below it is itself a `message` step, for frameworks that record only agent-level input/output.
 * Other spans (chains, workflows, HTTP) are structure: they order and group steps but are not steps.
 *
 * Agents. A step belongs to the agent named on its own span, else to the nearest enclosing agent
 * span, else to the service that emitted it.
 *
 * Reads (the agent-graph edges), from the most to the least explicit evidence:
 *  1. `truce.reads` and span links name their sources outright;
 *  2. a tool result reads its own call; a tool call reads the model step that requested it (same
 *     tool call id, else the latest earlier model step of the same agent that named the tool);
 *  3. a step nested inside another step's span reads that step (a tool run inside a model call, a
 *     model call inside a tool that wraps an agent);
 *  4. sequence: a step reads what happened just before it at its own level of the call tree. Going
 *     up from the step's span, take the first level where earlier siblings (over before this span
 *     started) hold steps. The anchor is the nearest of them in which an agent spoke (else simply
 *     the nearest). The step reads the final step of the anchor, of the siblings after it (its
 *     tool traffic), and of the siblings still running when the anchor started (branches parallel
 *     to it, so a fan-in reads every branch). Siblings overlapping this span are not read: they ran
 *     in parallel with it. A step that opens an agent's work thus reads what the previous agent
 *     ended with. At most SIBLING_LOOKBACK siblings are examined per step;
 *  5. message flow: a step reads the most recent earlier steps whose output text appears in its
 *     input (see readsByContent.ts). This finds context passed around the call tree.
 * Only earlier steps are ever read, so the graph is acyclic.
 *
 * Rounds. An explicit `truce.round` / `round` attribute on the span or an ancestor wins; then native
 * markers (`iteration`, `turn`, `langgraph.step`, LangGraph metadata, ancestor spans named
 * "round 3"/"iteration 3"); otherwise the speaker-repeat heuristic of rounds.ts over model calls.
 */
import { readFile } from 'node:fs/promises';
import { acceptBuiltAsIs, type ImportResult } from './importResult';
import { LineTooLongError, type ReadOptions } from './jsonl';
import { parseOtlpFileByLine, parseOtlpText, type ParsedSpans, type RawSpan } from './otlpEnvelope';
import { SpanDigest } from './otlpSpanDigest';
import { TraceAssembly, type OtlpImportOptions } from './otlpTraceAssembly';

export type { OtlpImportOptions } from './otlpTraceAssembly';

/** Span digests as parsed: module-level, so that every import passes the parser the same function. */
function digestSpan(raw: RawSpan): SpanDigest {
  return new SpanDigest(raw).settle();
}

export function importOtlpText(text: string, options: OtlpImportOptions = {}): ImportResult {
  // Each span is digested as it is parsed, so its raw attributes need not outlive its line.
  return assembleTraces(parseOtlpText(text, digestSpan), options);
}

/**
 * The same result as importOtlpText on the file's text. A file with one export request per line
 * (the collector's file exporter) is streamed line by line instead of being read whole (see
 * parseOtlpFileByLine), which also imports files longer than one string can be (about 512 MB); any
 * other file is read whole. A file or a line too long to read comes back as an issue that says what
 * to do; only I/O failures throw.
 */
export async function importOtlpFile(path: string, options: OtlpImportOptions & ReadOptions = {}): Promise<ImportResult> {
  const { signal, chunkSize, maxLineChars, ...importOptions } = options;
  let parsed: ParsedSpans<SpanDigest> | undefined;
  try {
    parsed = await parseOtlpFileByLine(path, digestSpan, { ...(signal ? { signal } : {}), ...(chunkSize ? { chunkSize } : {}), ...(maxLineChars ? { maxLineChars } : {}) });
  } catch (error) {
    if (!(error instanceof LineTooLongError)) throw error;
    return { trajectories: [], errors: [{ message: `${error.message}: a trace file this large can only be imported with one export request per line, as the OpenTelemetry Collector's file exporter writes it`, line: error.line }] };
  }
  if (parsed) return assembleTraces(parsed, importOptions);
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', ...(signal ? { signal } : {}) });
  } catch (error) {
    // The engine's own words for it are "Invalid string length" (or ERR_STRING_TOO_LONG).
    if (!(error instanceof RangeError) && (error as NodeJS.ErrnoException).code !== 'ERR_STRING_TOO_LONG') throw error;
    return { trajectories: [], errors: [{ message: 'the file is too large to read as one JSON document (one string holds at most about 512 MB of text): write one export request per line, as the OpenTelemetry Collector\'s file exporter does, and it is read line by line' }] };
  }
  return importOtlpText(text, importOptions);
}

function assembleTraces(parsed: ParsedSpans<SpanDigest>, options: OtlpImportOptions): ImportResult {
  const result: ImportResult = { trajectories: [], errors: [...parsed.errors] };
  const traces = new Map<string, SpanDigest[]>();
  const seen = new Set<string>();
  for (const span of parsed.spans) {
    const key = `${span.traceId}/${span.spanId}`;
    if (seen.has(key)) {
      result.errors.push({ message: `duplicate span ${span.spanId} in trace ${span.traceId} was skipped`, path: span.path, ...(span.line !== undefined ? { line: span.line } : {}) });
      continue;
    }
    seen.add(key);
    const list = traces.get(span.traceId) ?? [];
    list.push(span);
    traces.set(span.traceId, list);
  }
  for (const [traceId, spans] of traces) {
    const finalOutput = parsed.finalOutputs.get(traceId) ?? (traces.size === 1 ? parsed.finalOutputs.get('') : undefined);
    const where = { path: spans[0]?.path, ...(spans[0]?.line !== undefined ? { line: spans[0].line } : {}) };
    try {
      const built = new TraceAssembly(traceId, spans, result.errors).build(finalOutput, options);
      if (built) acceptBuiltAsIs(built, result, where);
    } catch (error) {
      // The importer contract is to never throw; an unforeseen shape costs this trace only.
      result.errors.push({ message: `trace ${traceId} could not be assembled: ${(error as Error).message}`, ...where });
    }
  }
  if (parsed.spans.length === 0 && result.errors.length === 0) result.errors.push({ message: 'no spans found' });
  return result;
}
