/**
 * Turns whatever one HTTP attempt threw (SDK errors, fetch errors, our own timeout) into an
 * LlmError that says what failed, whether retrying can help, and what the user should do.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { abortedError } from './clock';
import { LlmError } from './errors';
import { parseRetryAfter } from './retry';
import { scrubSecrets } from './secrets';

export interface AttemptContext {
  baseUrl: string;
  model: string;
  /** Where the key came from ("the environment variable X"), never the key. */
  keySource: string;
  local: boolean;
  /** Strings to scrub from anything the server said. */
  secrets: readonly string[];
  nowMs: number;
  timeoutMs: number;
  /** Our per-attempt timer fired. */
  timedOut: boolean;
  /** The caller's signal. */
  signal?: AbortSignal;
}

/** Connection failures worth another attempt: the server exists but the connection broke. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function classifyError(error: unknown, ctx: AttemptContext): LlmError {
  if (error instanceof LlmError) return error;
  if (ctx.signal?.aborted) return abortedError(ctx.signal);
  if (ctx.timedOut || error instanceof APIConnectionTimeoutError) {
    const seconds = Math.round(ctx.timeoutMs / 1000);
    return new LlmError(
      'timeout',
      `${ctx.baseUrl} did not answer within ${seconds} s (model ${ctx.model}); raise timeoutMs for slow models.`,
      { retryable: true },
    );
  }
  if (error instanceof APIUserAbortError) return abortedError(ctx.signal);
  if (error instanceof APIConnectionError) return classifyConnection(error, ctx);
  if (error instanceof APIError && typeof error.status === 'number') return classifyStatus(error, error.status, ctx);
  if (error instanceof SyntaxError) {
    // The SDK parses the body only after a 2xx status: the server did the work and bills it.
    return new LlmError('bad-response', `${ctx.baseUrl} sent a response body that is not valid JSON (${error.message}).`, {
      retryable: true,
      billed: true,
      cause: error,
    });
  }
  // The connection broke while the body of a 200 was being read: the SDK had the response
  // already, so fetch's TypeError('terminated') (cause: UND_ERR_SOCKET) arrives unwrapped. It is
  // the same transient failure as a reset before the headers, and retrying is as safe.
  const code = errorCode(error);
  if ((code !== undefined && TRANSIENT_CODES.has(code)) || (error instanceof TypeError && error.message === 'terminated')) {
    return new LlmError('connection', `The connection to ${ctx.baseUrl} broke while the reply was being read (${code ?? 'terminated'}).`, {
      retryable: true,
      billed: true,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LlmError('http', `Request to ${ctx.baseUrl} failed: ${scrubSecrets(message, ctx.secrets)}`, { cause: error });
}

function classifyConnection(error: APIConnectionError, ctx: AttemptContext): LlmError {
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') {
    // Not retried: almost always "the server is not running", and a run should say so at once.
    const hint = ctx.local
      ? 'start the server (for Ollama: `ollama serve`; LM Studio: start its local server)'
      : 'check the address';
    return new LlmError(
      'unreachable',
      `No OpenAI-compatible endpoint answers at ${ctx.baseUrl} (connection refused); ${hint}, ` +
        'or point baseUrl (or OPENAI_BASE_URL) and OPENAI_API_KEY at a running endpoint.',
      { cause: error },
    );
  }
  if (code === 'ENOTFOUND') {
    return new LlmError('unreachable', `The host of ${ctx.baseUrl} cannot be resolved (DNS); check baseUrl for typos.`, {
      cause: error,
    });
  }
  const detail = code ?? scrubSecrets(deepestMessage(error), ctx.secrets);
  return new LlmError('connection', `The connection to ${ctx.baseUrl} failed (${detail}).`, {
    retryable: code === undefined || TRANSIENT_CODES.has(code),
    cause: error,
  });
}

function classifyStatus(error: APIError, status: number, ctx: AttemptContext): LlmError {
  const said = scrubSecrets(serverMessage(error), ctx.secrets);
  const retryAfterMs = error.headers ? parseRetryAfter(error.headers, ctx.nowMs) : undefined;
  const base = { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  if (status === 401 || status === 403) {
    const fix = ctx.local && ctx.keySource.startsWith('no key')
      ? 'This local server wants a key: name the variable that holds it with apiKeyEnv.'
      : `Check the key in ${ctx.keySource}.`;
    const message = `${ctx.baseUrl} rejected the API key from ${ctx.keySource} (HTTP ${status}: ${said}). ${fix}`;
    return new LlmError('auth', message, base);
  }
  if (status === 404) {
    return new LlmError(
      'model-not-found',
      `Model "${ctx.model}" was not found at ${ctx.baseUrl} (HTTP 404: ${said}). Check the model name ` +
        '(for Ollama: `ollama pull <model>`; for Azure: the deployment name), ' +
        'and that baseUrl ends with the API root (e.g. /v1).',
      base,
    );
  }
  if (status === 429) {
    if (error.code === 'insufficient_quota') {
      return new LlmError('quota', `The account behind ${ctx.keySource} has no quota left at ${ctx.baseUrl} (${said}).`, base);
    }
    return new LlmError('rate-limited', `${ctx.baseUrl} is rate limiting requests (HTTP 429: ${said}).`, {
      ...base,
      retryable: true,
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return new LlmError('server', `${ctx.baseUrl} failed with HTTP ${status}: ${said}`, { ...base, retryable: true });
  }
  if (status === 400 || status === 422) {
    const message = `${ctx.baseUrl} rejected the request for model ${ctx.model} (HTTP ${status}: ${said}).`;
    return new LlmError('bad-request', message, base);
  }
  return new LlmError('http', `${ctx.baseUrl} answered HTTP ${status}: ${said}`, base);
}

/** The server's own words: `{error:{message}}` (OpenAI), `{error:"…"}` (Ollama), else the SDK text. */
function serverMessage(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body === 'string' && body) return body;
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') return body.message;
  return error.message.replace(/^\d{3}\s+/, '');
}

/** fetch's own messages ("fetch failed") say little; the innermost cause says what happened. */
function deepestMessage(error: Error): string {
  let message = error.message;
  let current: unknown = error.cause;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message;
}

function errorCode(error: unknown): string | undefined {
  // fetch wraps the system error: APIConnectionError → TypeError('fetch failed') → Error{code}.
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      current = errors[0];
      continue;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
