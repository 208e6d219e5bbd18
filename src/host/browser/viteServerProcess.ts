// A Vite app's dev server in a process of its own (dist/vite-server.js): the extension starts it for "Debug
// Training Page…", so that the app's vite.config (workspace code) never runs in the extension host. Prints one
// JSON line on stdout, {url, root} once the server listens or {error}, and closes the server and exits when its
// parent goes (stdin ends) or on SIGTERM.
//
//   node dist/vite-server.js <app folder>
import { isViteApp, startViteServer } from './viteServer.ts';

const [folder] = process.argv.slice(2);

const started = isViteApp(folder)
  ? startViteServer(folder)
  : Promise.reject(new Error(`${folder} is a folder but not a Vite app (it has no vite.config or index.html). Give a URL, an .html file, or a Vite app's folder.`));

started.then((server) => {
  process.stdout.write(`${JSON.stringify({ url: server.url, root: server.root })}\n`);
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    void server.close().finally(() => process.exit(0));
  };
  process.stdin.on('end', close);
  process.stdin.on('close', close);
  process.stdin.resume();
  process.on('SIGTERM', close);
}, (e: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exit(2);
});
