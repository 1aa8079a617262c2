/**
 * Prices as a projection should see them: an endpoint with `batch: true` is billed at the Batch
 * API's price for every call but the reachability probe (which is tiny), so its projected cost
 * uses that price.
 */
import type { EndpointPricing } from '../projection';
import { BATCH_PRICE_FACTOR } from './batchQueue';

export function projectedPricing<T extends EndpointPricing & { batch?: boolean }>(endpoint: T): T {
  if (!endpoint.batch) return endpoint;
  const out = { ...endpoint };
  if (out.pricePer1kInput !== undefined) out.pricePer1kInput *= BATCH_PRICE_FACTOR;
  if (out.pricePer1kOutput !== undefined) out.pricePer1kOutput *= BATCH_PRICE_FACTOR;
  return out;
}
