/**
 * Concurrency and rate limiters per endpoint identity (base URL + model). Roles configured against
 * the same server and model share them, because the server's limits do not care which role asks.
 */
import type { Clock } from './clock';
import { DEFAULT_MAX_CONCURRENCY, type EndpointConfig } from './endpoint';
import { ConcurrencyLimiter } from './limiter';
import { RateLimiter } from './rateLimiter';

export interface EndpointLimits {
  maxConcurrency: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export function limitsOf(config: EndpointConfig): EndpointLimits {
  const limits: EndpointLimits = { maxConcurrency: config.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY };
  if (config.requestsPerMinute !== undefined) limits.requestsPerMinute = config.requestsPerMinute;
  if (config.tokensPerMinute !== undefined) limits.tokensPerMinute = config.tokensPerMinute;
  return limits;
}

/** The stricter of two settings, field by field (an unset rate limit is no limit). */
export function stricterLimits(a: EndpointLimits, b: EndpointLimits): EndpointLimits {
  const min = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.min(x, y));
  const merged: EndpointLimits = { maxConcurrency: Math.min(a.maxConcurrency, b.maxConcurrency) };
  const rpm = min(a.requestsPerMinute, b.requestsPerMinute);
  const tpm = min(a.tokensPerMinute, b.tokensPerMinute);
  if (rpm !== undefined) merged.requestsPerMinute = rpm;
  if (tpm !== undefined) merged.tokensPerMinute = tpm;
  return merged;
}

export interface Limiters {
  concurrency: ConcurrencyLimiter;
  rate: RateLimiter;
}

export class EndpointLimiters {
  private readonly byEndpoint = new Map<string, Limiters>();

  constructor(private readonly clock: Clock) {}

  /** The limiters of `endpointId`, created with `limits` on first use (later limits are ignored). */
  for(endpointId: string, limits: EndpointLimits): Limiters {
    let limiters = this.byEndpoint.get(endpointId);
    if (!limiters) {
      limiters = {
        concurrency: new ConcurrencyLimiter(limits.maxConcurrency),
        rate: new RateLimiter(limits, this.clock),
      };
      this.byEndpoint.set(endpointId, limiters);
    }
    return limiters;
  }
}
