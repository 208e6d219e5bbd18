// npm run try: the packaged extension in code-server with the example workspace, on localhost, for a person
// to try in a browser. Packages the VSIX when a source changed, sets up code-server (cached), installs the
// VSIX into a fresh extensions folder, and prints the URL. Ctrl+C stops code-server and everything it started.
//
//   PORT                      port on 127.0.0.1 (default 8080; a free one when that is taken)
//   TFJS_DEBUGGER_TRY_DIR     where the workspace and VS Code's user data live (default: <tmp>/tfjs-debugger-try;
//                             kept between runs, so settings and the last run survive; outside the repository, so
//                             scripts resolve tfjs to the extension's bundled copy, as for a user without it)
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freshExtensionsDir, launchCodeServer, log, makeWorkspace, prepare } from '../../test/e2e/harness.ts';

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  const { entry, extensionsTemplate } = prepare();
  const dir = process.env.TFJS_DEBUGGER_TRY_DIR ?? path.join(os.tmpdir(), 'tfjs-debugger-try');
  const workspace = path.join(dir, 'workspace');
  if (!existsSync(workspace)) makeWorkspace(workspace);
  const extensions = path.join(dir, 'extensions');
  rmSync(extensions, { recursive: true, force: true });
  freshExtensionsDir(extensionsTemplate, extensions);
  const wanted = Number(process.env.PORT ?? 8080);
  const port = (await portFree(wanted)) ? wanted : undefined;
  const cs = await launchCodeServer({ entry, dir, workspace, extensions, trusted: true, port });
  log(`code-server log: ${cs.log}`);
  process.stdout.write(`\nTF.js Model Debugger in VS Code (code-server), workspace ${workspace}:\n\n  ${cs.url}\n\n` +
    'Open batchnorm-mismatch.js, then F1 › "TF.js Debugger: Debug Training Script". Ctrl+C stops.\n');
  const stop = async () => {
    await cs.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  cs.server.once('exit', (code, signal) => {
    log(`code-server exited (${code ?? signal})`);
    process.exit(code ?? 1);
  });
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
