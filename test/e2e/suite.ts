// One code-server session shared by the ordered steps of a scenario file (node:test describe/it). A failing
// step keeps its screenshot and logs under test-results/e2e/<name>/ and the steps after it are skipped (they
// build on it); the session's processes are stopped in `after` whatever happened.
import { after, before, it } from 'node:test';
import { log, prepare, Session, type SessionOptions } from './harness.ts';
import { Workbench } from './workbench.ts';

/** Packaging (~1 min) and a cold code-server setup (~3.5 min) may both happen in the first file's `before`. */
const PREPARE_TIMEOUT_MS = 15 * 60_000;
const STEP_TIMEOUT_MS = 4 * 60_000;

export interface Scenario {
  readonly session: Session;
  readonly wb: Workbench;
  step(name: string, fn: (s: Session, wb: Workbench) => Promise<void>, timeoutMs?: number): void;
}

export function scenario(options: SessionOptions): Scenario {
  let session: Session | null = null;
  let wb: Workbench | null = null;
  let broken: string | null = null;

  before(async () => {
    prepare();
    session = await Session.start(options);
    wb = new Workbench(session.page);
  }, { timeout: PREPARE_TIMEOUT_MS });

  after(async () => {
    await session?.stop();
  }, { timeout: 60_000 });

  return {
    get session() {
      if (!session) throw new Error('no session');
      return session;
    },
    get wb() {
      if (!wb) throw new Error('no session');
      return wb;
    },
    step(name, fn, timeoutMs = STEP_TIMEOUT_MS) {
      // node:test's own timeout fires a little later than ours, so a step that hangs is recorded (screenshot,
      // logs) and the steps after it are skipped rather than run against a half-done state.
      it(name, { timeout: timeoutMs + 30_000 }, async (t) => {
        if (!session || !wb) throw new Error('the code-server session did not start');
        if (broken) {
          t.skip(`an earlier step failed: ${broken}`);
          return;
        }
        const started = Date.now();
        session.note(`step: ${name}`);
        try {
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`step timed out after ${timeoutMs / 1000} s`)), timeoutMs);
          });
          try {
            await Promise.race([fn(session, wb), timedOut]);
          } finally {
            clearTimeout(timer);
          }
          log(`${options.name} › ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
        } catch (e) {
          broken = name;
          log(`${options.name} › ${name}: FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s`);
          await session.saveFailure(e, name);
          throw e;
        }
      });
    },
  };
}
