// The app's own Vite config. The debugger needs nothing here: `tfjs-debug page examples/browser/vite-app`
// starts this app's dev server with the debugger's plugin added. To run your own dev server instead, add
// the plugin here (`import { tfjsDebugger } from 'tfjs-model-debugger/vite'`; `plugins: [tfjsDebugger()]`)
// and give tfjs-debug the URL.
export default {
  server: { host: '127.0.0.1' },
};
