/**
 * The one span shape every container format is flattened into, and where spans go as they are read.
 */
import type { ImportIssue } from './importResult';
import type { Attributes } from './otlpAttributes';


export interface SpanEvent {
  name: string;
  timeMs?: number;
  attributes: Attributes;
}

export interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs?: number;
  endMs?: number;
  attributes: Attributes;
  events: SpanEvent[];
  /** Span links: explicit causal references to other spans. */
  links: { traceId: string; spanId: string }[];
  resource: Attributes;
  status?: { code: string; message?: string };
  /** Position in the file, the tie-breaker when times are equal or missing. */
  order: number;
  line?: number;
  path: string;
}

export interface ParsedSpans<S extends { traceId: string } = RawSpan> {
  spans: S[];
  errors: ImportIssue[];
  /** `final_output` recorded next to the spans by some tools, keyed by trace id ('' when unknown). */
  finalOutputs: Map<string, unknown>;
}

/**
 * Where spans go as they are read. `keep` turns each span into what the caller holds on to: called
 * right after the span is read, it lets the caller take what it needs from the span's attributes
 * while they are fresh and drop the rest (attributes are most of a trace file).
 */
export interface Collector<S extends { traceId: string }> extends ParsedSpans<S> {
  keep: (span: RawSpan) => S;
}
