/**
 * Spans of a running MAS, gathered per trace as exports arrive. An SDK's batch exporter sends a
 * trace in pieces — children usually before their parent, the root last, and a retry may send a
 * piece twice — so a trace is kept as the set of its spans (keyed by span id, a re-sent span
 * replaces its earlier copy) and rebuilt into a trajectory by the OTLP importer whenever it grew.
 */
import type { OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpTraceRequest } from '../mas/otlpTypes';
import { importOtlpText } from '../trajectory/importOtlp';
import type { Trajectory } from '../trajectory/schema';

interface HeldSpan {
  resource: OtlpResourceSpans['resource'];
  scope: OtlpScopeSpans['scope'];
  span: OtlpSpan;
}

export interface LiveTrace {
  readonly traceId: string;
  /** 0 for the first trace that arrived, then 1, 2, … */
  readonly order: number;
  readonly spans: Map<string, HeldSpan>;
  /** Whether a span without a parent (the trace's root) has arrived. */
  hasRoot: boolean;
  /** Milliseconds (the book's clock) of the last span that arrived. */
  lastSpanAt: number;
  /** Bumped whenever a span arrives, so a rebuild can tell whether it is still current. */
  revision: number;
}

export interface AddedSpans {
  /** Trace ids that received spans. */
  traces: string[];
  accepted: number;
  /** Spans without a usable trace or span id; nothing can place them. */
  skipped: number;
}

/** What the importer made of a trace: a trajectory, or the reasons it could not make one yet. */
export interface BuiltTrace {
  trajectory?: Trajectory;
  problems: string[];
}

const ZERO_ID = /^0*$/;

export class LiveTraceBook {
  private readonly traces = new Map<string, LiveTrace>();
  private spanTotal = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  get traceCount(): number {
    return this.traces.size;
  }

  get spanCount(): number {
    return this.spanTotal;
  }

  get(traceId: string): LiveTrace | undefined {
    return this.traces.get(traceId);
  }

  /** Traces in the order they first arrived. */
  all(): LiveTrace[] {
    return [...this.traces.values()];
  }

  add(request: OtlpTraceRequest): AddedSpans {
    const touched = new Set<string>();
    let accepted = 0;
    let skipped = 0;
    const now = this.clock();
    for (const rs of request.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          const traceId = idOf(span.traceId);
          const spanId = idOf(span.spanId);
          if (traceId === undefined || spanId === undefined) {
            skipped++;
            continue;
          }
          let trace = this.traces.get(traceId);
          if (!trace) {
            trace = { traceId, order: this.traces.size, spans: new Map(), hasRoot: false, lastSpanAt: now, revision: 0 };
            this.traces.set(traceId, trace);
          }
          if (!trace.spans.has(spanId)) this.spanTotal++;
          trace.spans.set(spanId, { resource: rs.resource, scope: ss.scope, span });
          if (idOf(span.parentSpanId) === undefined) trace.hasRoot = true;
          trace.lastSpanAt = now;
          trace.revision++;
          touched.add(traceId);
          accepted++;
        }
      }
    }
    return { traces: [...touched], accepted, skipped };
  }

  /** Builds the trajectory of a trace from every span it has so far. */
  build(traceId: string): BuiltTrace {
    const trace = this.traces.get(traceId);
    if (!trace) return { problems: [`no spans of trace ${traceId}`] };
    // Spans that came with the same resource and scope objects (one export) stay together; the
    // importer reads a trace spread over several resourceSpans just as well.
    const groups = new Map<OtlpResourceSpans['resource'], Map<OtlpScopeSpans['scope'] | null, OtlpSpan[]>>();
    for (const held of trace.spans.values()) {
      let scopes = groups.get(held.resource);
      if (!scopes) groups.set(held.resource, (scopes = new Map()));
      const key = held.scope ?? null;
      const list = scopes.get(key);
      if (list) list.push(held.span);
      else scopes.set(key, [held.span]);
    }
    const resourceSpans = [...groups].map(([resource, scopes]) => ({
      resource,
      scopeSpans: [...scopes].map(([scope, spans]) => ({ ...(scope ? { scope } : {}), spans })),
    }));
    const imported = importOtlpText(JSON.stringify({ resourceSpans }), { source: 'otlp-attach' });
    const problems = imported.errors.filter((e) => e.severity !== 'warning').map((e) => e.message);
    return imported.trajectories[0] ? { trajectory: imported.trajectories[0], problems } : { problems };
  }
}

/** A trace or span id as a non-empty, non-zero string (OTLP/JSON sends hex; zero ids mean "none"). */
function idOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || ZERO_ID.test(value)) return undefined;
  return value;
}
