/**
 * A caller's cancel signal is shared by every call it makes, many in flight at once by design
 * (Ψ asks about every task and agent together; a run's tasks share its signal). Each call waits on
 * it — for the capability probe, in the limiters, the backoff and the attempt — and removes its
 * listener when the wait ends, so the count of listeners is the count of waits in progress, not a
 * leak. Node warns past 10 listeners per signal; every place a call first waits on the caller's
 * signal lifts that limit for it, so the warning never reaches the user's terminal.
 */
import { setMaxListeners } from 'node:events';

export function shareSignal(signal: AbortSignal | undefined): void {
  if (signal) setMaxListeners(0, signal);
}
