/**
 * A local OTLP/HTTP trace receiver, so an instrumented MAS needs no glue: point its exporter at
 * OTEL_EXPORTER_OTLP_ENDPOINT and its spans arrive here.
 *
 * - Listens on 127.0.0.1 only (a random port): spans carry prompts and answers, never for the network.
 * - Loopback is not private, though: any local process could post spans into a run. Every request
 *   must carry the receiver's per-run bearer token (`Authorization: Bearer <token>`), which the
 *   MAS gets in OTEL_EXPORTER_OTLP_HEADERS, the variable OpenTelemetry exporters read; anything
 *   else is answered 401 before its body is read.
 * - `POST /v1/traces` with `application/json` (OTLP/JSON) or `application/x-protobuf` (decoded by
 *   otlpProtobuf.ts), optionally gzip-compressed. Success answers an empty
 *   ExportTraceServiceResponse in the request's encoding; unreadable bodies get 400 with a Status
 *   message, bodies over the limit (20 MB by default, before and after decompression) 413.
 * - Spans are collected per task execution. A span that names its task (`truce.task.id` or
 *   `truce.task_id`, on the span or its resource) goes to that task's open collection; a span that
 *   does not goes to every collection open when it arrives (the time window of the execution).
 *   Spans for no open collection are dropped.
 * - Live attach (src/core/attach) listens on a chosen port instead of a random one and takes every
 *   accepted request through `onTraces`, beside the task collections.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeTraceRequest } from './otlpProtobuf';
import type { OtlpKeyValue, OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpTraceRequest } from './otlpTypes';

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
const TASK_ID_KEYS = ['truce.task.id', 'truce.task_id'];
/** google.rpc.Code INVALID_ARGUMENT, the code OTLP uses for a request it cannot read. */
const INVALID_ARGUMENT = 3;
/** google.rpc.Code UNAUTHENTICATED. */
const UNAUTHENTICATED = 16;

export interface OtlpReceiverOptions {
  maxBodyBytes?: number;
  /** The bearer token requests must carry; default a fresh random one. */
  token?: string;
  /** The loopback port to listen on; default 0, a free one. */
  port?: number;
  /** Called with every accepted request, before it is routed to the task collections. */
  onTraces?: (request: OtlpTraceRequest) => void;
}

/** The spans one task execution received, grouped by the resource and scope they came with. */
export interface OtlpTaskCollection {
  readonly taskId: string;
  /** Spans received so far. */
  readonly spanCount: number;
  /** Closes the window and returns what arrived, as OTLP/JSON resource spans. */
  stop(): OtlpResourceSpans[];
}

interface Collector {
  taskId: string;
  groups: Map<OtlpResourceSpans, Map<OtlpScopeSpans, OtlpSpan[]>>;
  count: number;
}

export class OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://127.0.0.1:43125 */
  readonly endpoint: string;
  readonly tracesUrl: string;
  /** Requests must send `Authorization: Bearer <token>`. */
  readonly token: string;
  private readonly expected: Buffer;
  private readonly open = new Set<Collector>();
  private readonly pending = new Set<Promise<void>>();

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly maxBodyBytes: number,
    token: string,
    private readonly onTraces: ((request: OtlpTraceRequest) => void) | undefined,
  ) {
    this.endpoint = `http://127.0.0.1:${port}`;
    this.tracesUrl = `${this.endpoint}/v1/traces`;
    this.token = token;
    this.expected = Buffer.from(`Bearer ${token}`);
  }

  /** The value for OTEL_EXPORTER_OTLP_HEADERS: `key=value` pairs with URL-encoded values. */
  get headers(): string {
    return `Authorization=${encodeURIComponent(`Bearer ${this.token}`)}`;
  }

  static async start(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => receiver?.accept(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    receiver = new OtlpReceiver(server, (server.address() as AddressInfo).port, maxBodyBytes, options.token ?? randomBytes(32).toString('hex'), options.onTraces);
    return receiver;
  }

  /** Opens the collection window of one task execution. */
  beginTask(taskId: string): OtlpTaskCollection {
    const collector: Collector = { taskId, groups: new Map(), count: 0 };
    this.open.add(collector);
    return {
      taskId,
      get spanCount() {
        return collector.count;
      },
      stop: () => {
        this.open.delete(collector);
        return [...collector.groups].map(([resource, scopes]) => ({
          resource: resource.resource,
          scopeSpans: [...scopes].map(([scope, spans]) => ({ ...(scope.scope ? { scope: scope.scope } : {}), spans })),
        }));
      },
    };
  }

  /** Resolves when every request received so far has been handled (exporters flush at exit). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private accept(req: IncomingMessage, res: ServerResponse): void {
    const done = this.handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ code: 13, message: 'internal receiver error' }));
    });
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  private authorized(req: IncomingMessage): boolean {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === this.expected.length && timingSafeEqual(given, this.expected);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorized(req)) {
      // The body is drained unread; the connection is not kept for a client that is not ours.
      res.setHeader('connection', 'close');
      res.setHeader('www-authenticate', 'Bearer');
      send(res, 401, 'application/json', JSON.stringify({ code: UNAUTHENTICATED, message: 'missing or wrong bearer token; export with the OTEL_EXPORTER_OTLP_HEADERS TRUCE set for this run' }));
      req.resume();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/v1/traces') return reject(res, 404, 'json', `no route ${path}; send traces to /v1/traces`);
    if (req.method !== 'POST') return reject(res, 405, 'json', 'use POST for /v1/traces');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const encoding = contentType === 'application/x-protobuf' || contentType === 'application/protobuf' ? 'protobuf' : contentType === 'application/json' ? 'json' : undefined;
    if (!encoding) return reject(res, 415, 'json', `unsupported Content-Type "${contentType}"; use application/json or application/x-protobuf`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) return tooLarge(req, res, encoding, this.maxBodyBytes);

    const body = await readLimited(req, this.maxBodyBytes);
    if (body === undefined) return tooLarge(req, res, encoding, this.maxBodyBytes);
    let bytes: Buffer = body;
    const compression = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (compression === 'gzip') {
      try {
        bytes = gunzipSync(body, { maxOutputLength: this.maxBodyBytes });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(req, res, encoding, this.maxBodyBytes);
        return reject(res, 400, encoding, 'the body is not valid gzip');
      }
    } else if (compression !== '' && compression !== 'identity') {
      return reject(res, 415, encoding, `unsupported Content-Encoding "${compression}"; use gzip or none`);
    }

    const parsed = encoding === 'protobuf' ? fromProtobuf(bytes) : fromJson(bytes);
    if ('error' in parsed) return reject(res, 400, encoding, parsed.error);
    this.onTraces?.(parsed.request);
    this.route(parsed.request);
    // An empty ExportTraceServiceResponse: no partial_success means everything was accepted.
    if (encoding === 'protobuf') send(res, 200, 'application/x-protobuf', Buffer.alloc(0));
    else send(res, 200, 'application/json', '{}');
  }

  private route(request: OtlpTraceRequest): void {
    if (this.open.size === 0) return;
    for (const rs of request.resourceSpans) {
      const resourceTask = taskIdOf(rs.resource?.attributes);
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          const taskId = taskIdOf(span.attributes) ?? resourceTask;
          for (const collector of this.open) {
            if (taskId !== undefined && taskId !== collector.taskId) continue;
            let scopes = collector.groups.get(rs);
            if (!scopes) collector.groups.set(rs, (scopes = new Map()));
            let spans = scopes.get(ss);
            if (!spans) scopes.set(ss, (spans = []));
            spans.push(span);
            collector.count++;
          }
        }
      }
    }
  }
}

function fromProtobuf(bytes: Buffer): { request: OtlpTraceRequest } | { error: string } {
  const decoded = decodeTraceRequest(bytes);
  return decoded.ok ? { request: decoded.request } : { error: decoded.error };
}

/**
 * OTLP/JSON, checked only as far as routing needs (lists where lists belong). The spans stay as
 * sent: the trajectory importer reads every OTLP/JSON dialect and reports what it cannot use.
 */
function fromJson(bytes: Buffer): { request: OtlpTraceRequest } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { error: `the body is not valid JSON: ${(error as Error).message}` };
  }
  const resourceSpans = (value as { resourceSpans?: unknown } | null)?.resourceSpans;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'expected an ExportTraceServiceRequest object with resourceSpans' };
  if (resourceSpans === undefined) return { request: { resourceSpans: [] } };
  if (!Array.isArray(resourceSpans)) return { error: 'resourceSpans must be a list' };
  const request: OtlpTraceRequest = { resourceSpans: [] };
  for (const [i, raw] of resourceSpans.entries()) {
    if (!isObject(raw)) return { error: `resourceSpans[${i}] must be an object` };
    // `instrumentationLibrarySpans` is the pre-1.0 name of `scopeSpans`.
    const scopes = raw.scopeSpans ?? raw.instrumentationLibrarySpans ?? [];
    if (!Array.isArray(scopes)) return { error: `resourceSpans[${i}].scopeSpans must be a list` };
    const resource = isObject(raw.resource) ? raw.resource : {};
    const scopeSpans: OtlpScopeSpans[] = [];
    for (const [j, ss] of scopes.entries()) {
      if (!isObject(ss)) return { error: `resourceSpans[${i}].scopeSpans[${j}] must be an object` };
      const spans = ss.spans ?? [];
      if (!Array.isArray(spans) || !spans.every(isObject)) return { error: `resourceSpans[${i}].scopeSpans[${j}].spans must be a list of objects` };
      const scope = ss.scope ?? ss.instrumentationLibrary;
      scopeSpans.push({ ...(isObject(scope) ? { scope: scope as never } : {}), spans: spans as unknown as OtlpSpan[] });
    }
    request.resourceSpans.push({ resource: resource as { attributes: OtlpKeyValue[] }, scopeSpans });
  }
  return { request };
}

function taskIdOf(attributes: unknown): string | undefined {
  if (!Array.isArray(attributes)) return undefined;
  for (const kv of attributes as unknown[]) {
    if (!isObject(kv) || typeof kv.key !== 'string' || !TASK_ID_KEYS.includes(kv.key)) continue;
    const value = kv.value;
    if (isObject(value) && typeof value.stringValue === 'string') return value.stringValue;
    if (isObject(value) && (typeof value.intValue === 'string' || typeof value.intValue === 'number')) return String(value.intValue);
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body, or undefined as soon as it grows past the limit. */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, rejectRead) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!over) rejectRead(error);
    });
  });
}

function tooLarge(req: IncomingMessage, res: ServerResponse, encoding: 'json' | 'protobuf', limit: number): void {
  // The rest of the body is read and thrown away (never buffered), so the client sees the 413
  // instead of a reset while it is still sending; the connection is not reused afterwards.
  res.setHeader('connection', 'close');
  reject(res, 413, encoding, `the request is larger than ${limit} bytes`);
  req.resume();
}

function reject(res: ServerResponse, status: number, encoding: 'json' | 'protobuf', message: string): void {
  if (encoding === 'protobuf') send(res, status, 'application/x-protobuf', encodeStatus(INVALID_ARGUMENT, message));
  else send(res, status, 'application/json', JSON.stringify({ code: INVALID_ARGUMENT, message }));
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** google.rpc.Status: 1 code (int32), 2 message (string) — the error body OTLP/HTTP prescribes. */
function encodeStatus(code: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from([0x08, code, 0x12]), varintBytes(text.length), text]);
}

function varintBytes(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}
