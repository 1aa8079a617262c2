import { start, type FakeOpenAiServer } from '../fakeOpenAiServer';
import { createSimResponder, type World } from '../../../src/core/sim';
import { writeSimWorkspace, type SimWorkspace } from './workspace';

/** What each test of a suite gets afresh: the world's responder, a loopback server answering with it, a workspace pointing at it. */
export interface WorldPerTest {
  /** The world's responder of this test (its counts and refused calls). */
  readonly sim: ReturnType<typeof createSimResponder>;
  readonly server: FakeOpenAiServer;
  readonly ws: SimWorkspace;
  /** Removes this test's workspace and writes a new one (for a second run from the same start). */
  renewWorkspace(): void;
}

/**
 * Registers, in the enclosing `describe`, hooks that give every test a new responder, server and
 * workspace for `world` and remove them afterwards, so no test sees another's calls or files.
 * Read the fields inside tests (they change per test), not when the suite is declared.
 */
export function worldPerTest(world: World): WorldPerTest {
  const live = {
    renewWorkspace() {
      live.ws.remove();
      live.ws = writeSimWorkspace(world, { baseUrl: live.server.url });
    },
  } as { sim: ReturnType<typeof createSimResponder>; server: FakeOpenAiServer; ws: SimWorkspace; renewWorkspace(): void };
  beforeEach(async () => {
    live.sim = createSimResponder(world);
    live.server = await start({ responder: live.sim.respond });
    live.ws = writeSimWorkspace(world, { baseUrl: live.server.url });
  });
  afterEach(async () => {
    await live.server.close();
    live.ws.remove();
  });
  return live;
}
