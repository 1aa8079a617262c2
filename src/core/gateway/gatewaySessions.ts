/**
 * Authenticate phase: each task execution gets a token of its own, so a call is attributed to its
 * task by the key the MAS sends, without any header; the token dies with the session. The default
 * session (no task) has the gateway's own token. Calls in flight are tracked per session too, so
 * one execution waits for its own calls only, not for those of other tasks.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GatewaySession, GatewaySessionInfo } from './gatewayTypes';

export class GatewaySessions {
  readonly defaultToken: string;
  private readonly byDigest = new Map<string, GatewaySessionInfo>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightBySession = new Map<GatewaySessionInfo, Set<Promise<void>>>();

  constructor(token?: string) {
    this.defaultToken = token ?? newToken();
    this.byDigest.set(tokenDigest(this.defaultToken), {});
  }

  /** The session whose token the request presents (bearer or api-key header), if any. */
  authenticate(req: IncomingMessage): GatewaySessionInfo | undefined {
    const given = presentedToken(req);
    return given === undefined ? undefined : this.byDigest.get(tokenDigest(given));
  }

  open(info: GatewaySessionInfo): GatewaySession {
    const token = newToken();
    const digest = tokenDigest(token);
    const session = { ...info };
    this.byDigest.set(digest, session);
    return {
      token,
      close: () => void this.byDigest.delete(digest),
      idle: async () => {
        for (let calls = this.inFlightBySession.get(session); calls && calls.size > 0; calls = this.inFlightBySession.get(session)) await Promise.all([...calls]);
      },
    };
  }

  /** Counts a call in flight for its session until it ends. */
  track(session: GatewaySessionInfo, pending: Promise<void>): void {
    this.inFlight.add(pending);
    const mine = this.inFlightBySession.get(session) ?? new Set<Promise<void>>();
    this.inFlightBySession.set(session, mine);
    mine.add(pending);
    void pending.finally(() => {
      this.inFlight.delete(pending);
      mine.delete(pending);
      if (mine.size === 0) this.inFlightBySession.delete(session);
    });
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}

function newToken(): string {
  return `truce-gw-${randomBytes(24).toString('hex')}`;
}

/** Tokens are looked up by their hash, so the lookup's timing says nothing about a token's bytes. */
function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function presentedToken(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return bearer ?? (typeof req.headers['api-key'] === 'string' ? req.headers['api-key'] : undefined);
}
