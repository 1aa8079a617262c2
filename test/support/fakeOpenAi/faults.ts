/** Fault injection for the fake server: scripted per request, or drawn with a seeded PRNG. */
import { seededRandom } from './prng';

export type FaultKind =
  /** 429 with Retry-After (seconds or HTTP date) or retry-after-ms. */
  | 'rate-limit'
  /** 500. */
  | 'server-error'
  /** 503, optionally with Retry-After. */
  | 'unavailable'
  /** The reply comes after an extra delay. */
  | 'slow'
  /** No reply until the client gives up (or the server closes). */
  | 'hang'
  /** The socket is destroyed after the request is read. */
  | 'reset'
  /** The content is cut in half; finish_reason 'length'. */
  | 'truncated'
  /** The content is wrapped in a ```json fence. */
  | 'fenced'
  /** The content is embedded in chatty prose. */
  | 'prose'
  /** The content is replaced by balanced but unparsable JSON. */
  | 'invalid'
  /** The content is replaced by valid JSON of an unrelated shape. */
  | 'wrong-schema'
  /** 200, but the HTTP body is not JSON (a proxy's garbled reply). */
  | 'malformed-body'
  /** 200 with the full Content-Length, but the connection drops halfway through the body. */
  | 'truncated-body';

export const ALL_FAULT_KINDS: readonly FaultKind[] = [
  'rate-limit',
  'server-error',
  'unavailable',
  'slow',
  'hang',
  'reset',
  'truncated',
  'fenced',
  'prose',
  'invalid',
  'wrong-schema',
];

/**
 * Faults in the HTTP reply itself, after the server did the work (and would have billed it). Not
 * in ALL_FAULT_KINDS, so seeded draws over the default kinds stay what they were.
 */
export const BODY_FAULTS: ReadonlySet<FaultKind> = new Set(['malformed-body', 'truncated-body']);

export const TRANSPORT_FAULTS: ReadonlySet<FaultKind> = new Set(['rate-limit', 'server-error', 'unavailable', 'slow', 'hang', 'reset']);

export interface FaultSpec {
  kind: FaultKind;
  /** rate-limit / unavailable: Retry-After in seconds. */
  retryAfterSeconds?: number;
  /** rate-limit: retry-after-ms header instead. */
  retryAfterMs?: number;
  /** rate-limit: Retry-After as an HTTP date. */
  retryAfterDate?: Date;
  /** slow: extra delay in real ms. */
  delayMs?: number;
}

export interface FaultConfig {
  /** Consumed first, one entry per chat request; null means "no fault for this one". */
  script?: Array<FaultSpec | FaultKind | null>;
  /** After the script: chance per request of a fault drawn uniformly from `kinds`. */
  probability?: number;
  kinds?: readonly FaultKind[];
  seed?: number;
  /** Retry-After of random rate-limit faults (default 1 s). */
  retryAfterSeconds?: number;
  /** Delay of random slow faults (default 50 ms). */
  slowMs?: number;
}

export class FaultPlan {
  private readonly script: Array<FaultSpec | FaultKind | null>;
  private readonly random: () => number;

  constructor(private readonly config: FaultConfig = {}) {
    this.script = [...(config.script ?? [])];
    this.random = seededRandom(config.seed ?? 1);
  }

  next(): FaultSpec | undefined {
    if (this.script.length > 0) {
      const entry = this.script.shift();
      if (entry === null || entry === undefined) return undefined;
      return typeof entry === 'string' ? this.withDefaults({ kind: entry }) : entry;
    }
    const probability = this.config.probability ?? 0;
    if (probability <= 0 || this.random() >= probability) return undefined;
    const kinds = this.config.kinds ?? ALL_FAULT_KINDS;
    const kind = kinds[Math.floor(this.random() * kinds.length)];
    return kind === undefined ? undefined : this.withDefaults({ kind });
  }

  private withDefaults(spec: FaultSpec): FaultSpec {
    if (spec.kind === 'rate-limit') return { retryAfterSeconds: this.config.retryAfterSeconds ?? 1, ...spec };
    if (spec.kind === 'slow') return { delayMs: this.config.slowMs ?? 50, ...spec };
    return spec;
  }
}

/** Applies a content fault to the reply text the responder produced. */
export function corruptContent(kind: FaultKind, content: string): { content: string; finishReason?: string } {
  switch (kind) {
    case 'truncated':
      return { content: content.slice(0, Math.max(1, Math.floor(content.length / 2))), finishReason: 'length' };
    case 'fenced':
      return { content: '```json\n' + content + '\n```' };
    case 'prose':
      return { content: `Sure! Here is what you asked for:\n${content}\nLet me know if anything else is needed.` };
    case 'invalid':
      return { content: '{"answer": tru, "note": \'single quotes\',}' };
    case 'wrong-schema':
      return { content: JSON.stringify({ unexpected: 'shape', injected: true }) };
    default:
      return { content };
  }
}
