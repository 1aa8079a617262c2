/**
 * Endpoint configuration: the zod schema truce.yaml uses for `llm.executor|optimizer|judge`, and
 * its resolution into what a client needs (normalised URL, key, limits).
 *
 * `apiKey` is for keys attached in memory (e.g. from VS Code SecretStorage) by the composition
 * root; the truce.yaml schema omits it, since a key in that file would be a key in version control.
 */
import { z } from 'zod';
import { MissingApiKeyError } from './errors';
import { hasQueryOrFragment, hasUrlCredentials, hideUrlCredentials } from './urlCredentials';

/** What a shell accepts as a variable name; anything else in apiKeyEnv is most likely the key itself. */
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const endpointConfigSchema = z
  .object({
    /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1, https://res.openai.azure.com/openai */
    baseUrl: z.url({ protocol: /^https?$/ }).refine((url) => !hasUrlCredentials(url), {
      // The message shows the URL without its user-info: it is printed, and kept by editors.
      error: (issue) => `holds a user name or password (${hideUrlCredentials(String(issue.input))}), which TRUCE does not send or store`,
      params: { hint: 'Remove "user:password@" from the URL; put the key in an environment variable and name that variable with apiKeyEnv.' },
    })
    // Paths are appended to the base URL (/chat/completions, /models), so a query there would end up
    // in the middle of every request URL; and a query is where keys get pasted (?api-key=…), which
    // the run would store.
    .refine((url) => !hasQueryOrFragment(url), {
      error: 'ends in a query or fragment (?… or #…), which TRUCE cannot append request paths to',
      params: { hint: 'Remove "?…" from the URL: put a key in an environment variable named by apiKeyEnv, and the Azure api-version in azureApiVersion.' },
    }),
    /** Model name, or the deployment name for Azure OpenAI. */
    model: z.string().min(1),
    /**
     * Name of the environment variable that holds the key (never the key itself). The error never
     * repeats the value: what is found here is often the key itself, pasted in the wrong place.
     */
    apiKeyEnv: z.string().regex(ENV_VAR_NAME, 'must be the name of an environment variable (letters, digits and "_", not starting with a digit), not the key itself').optional(),
    /** In-memory key (e.g. from VS Code SecretStorage). Never written anywhere. */
    apiKey: z.string().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().positive().optional(),
    pricePer1kInput: z.number().nonnegative().optional(),
    pricePer1kOutput: z.number().nonnegative().optional(),
    timeoutMs: z.number().int().positive().optional(),
    seed: z.number().int().optional(),
    /** Set for Azure OpenAI (e.g. '2024-10-21'); the model is then used as the deployment name. */
    azureApiVersion: z.string().min(1).optional(),
    /** Requests in flight at once against this endpoint. */
    maxConcurrency: z.number().int().positive().optional(),
    requestsPerMinute: z.number().positive().optional(),
    tokensPerMinute: z.number().positive().optional(),
    /** 'auto' probes the server; the others skip the probe. */
    structuredOutput: z.enum(['auto', 'json_schema', 'prompt']).optional(),
    /**
     * Newer OpenAI models reject `max_tokens`; many local servers know only `max_tokens`.
     * Default: `max_completion_tokens` for api.openai.com and Azure, `max_tokens` elsewhere.
     */
    maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    /**
     * Send this role's calls through the Batch API (OpenAI, or Azure OpenAI's global batch) at its
     * lower price: calls issued together share one batch; replies arrive within the 24 h window.
     */
    batch: z.boolean().optional(),
  })
  .strict();

export type EndpointConfig = z.infer<typeof endpointConfigSchema>;

export const DEFAULT_TIMEOUT_MS = 300_000;
export const DEFAULT_MAX_CONCURRENCY = 4;
/** Sent to local servers that need no key, because the SDK refuses to run without one. */
export const LOCAL_DUMMY_KEY = 'sk-no-key-required';

export interface ResolvedEndpoint {
  /** Without trailing slash, credentials or query: safe to log and to hash. */
  baseUrl: string;
  model: string;
  apiKey: string;
  /** Where the key came from, for error messages (never the key itself). */
  keySource: string;
  local: boolean;
  azureApiVersion?: string;
  timeoutMs: number;
  maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  /** Identity of the server+model, shared by roles that point at the same one. */
  id: string;
}

/** Hosts whose servers we assume run on this machine (Ollama, LM Studio, llama.cpp, vLLM dev). */
export function isLocalUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127\./.test(host);
}

/**
 * Drops user-info, query and fragment (some proxies carry keys there) and trailing slashes, so the
 * result can go into logs, cache files and hashes.
 */
export function sanitizeBaseUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

export function resolveEndpoint(config: EndpointConfig, env: Readonly<Record<string, string | undefined>>): ResolvedEndpoint {
  const baseUrl = sanitizeBaseUrl(config.baseUrl);
  const local = isLocalUrl(baseUrl);
  const azure = config.azureApiVersion !== undefined;
  let apiKey: string | undefined;
  let keySource: string;
  if (config.apiKey !== undefined) {
    apiKey = config.apiKey;
    keySource = 'the key in secret storage';
  } else {
    // A local server gets a key only when asked for one explicitly: sending the user's
    // OPENAI_API_KEY to whatever listens on localhost would leak it for no benefit.
    const envVar = config.apiKeyEnv ?? (local ? undefined : azure ? 'AZURE_OPENAI_API_KEY' : 'OPENAI_API_KEY');
    keySource = envVar === undefined ? 'no key (local endpoint)' : `the environment variable ${envVar}`;
    const value = envVar === undefined ? undefined : env[envVar]?.trim();
    if (value) apiKey = value;
    else if (!local) throw new MissingApiKeyError(envVar ?? 'OPENAI_API_KEY', baseUrl);
  }
  const host = new URL(baseUrl).hostname;
  const resolved: ResolvedEndpoint = {
    baseUrl,
    model: config.model,
    apiKey: apiKey ?? LOCAL_DUMMY_KEY,
    keySource,
    local,
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxTokensParam: config.maxTokensParam ?? (azure || host === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens'),
    id: `${baseUrl}#${config.model}`,
  };
  if (config.azureApiVersion !== undefined) resolved.azureApiVersion = config.azureApiVersion;
  return resolved;
}

/** An endpoint as the client keeps it: everything but the key, which it reads when it sends. */
export type EndpointSettings = Omit<EndpointConfig, 'apiKey'>;
