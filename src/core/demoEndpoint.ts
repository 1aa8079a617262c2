/**
 * How a demo run is recognised wherever it is shown: its endpoints point at DEMO_BASE_URL, a
 * `.localhost` host (local, so no API key is asked for) that is never contacted — the LLM clients
 * of a demo get an in-process fetch (demo/demoFetch.ts). A leaf module, so reports can import it
 * without pulling in the simulation world.
 */

/** What every place that shows a demo run says about it. */
export const DEMO_LABEL = 'demo world, not an LLM';
export const DEMO_BASE_URL = 'http://truce-demo.localhost/v1';
export const DEMO_MODEL = 'demo-world';

export function isDemoEndpoint(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === new URL(DEMO_BASE_URL).hostname;
  } catch {
    return false;
  }
}
