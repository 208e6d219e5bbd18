// Preloaded (node --require) into the CLI and, through NODE_OPTIONS, into the runner it starts: every
// connection to anything but loopback fails, as does DNS. Used to prove the debugger needs no network.
'use strict';
const net = require('net');
const dns = require('dns');
const attempts = [];
function refuse(what) {
  attempts.push(what);
  const e = new Error(`network access refused in this test: ${what}`);
  e.code = 'ENETUNREACH';
  return e;
}
const loopback = (host) => host == null || host === 'localhost' || /^127\./.test(host) || host === '::1';
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect passes its normalized arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const opts = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  if (opts.path == null && !loopback(opts.host)) throw refuse(`connect ${opts.host}:${opts.port}`);
  return connect.apply(this, args);
};
dns.lookup = (host, ...rest) => {
  const cb = rest[rest.length - 1];
  process.nextTick(cb, refuse(`dns ${host}`));
};
globalThis.fetch = async (url) => { throw refuse(`fetch ${url}`); };
process.on('exit', () => {
  if (attempts.length && process.env.NO_NETWORK_LOG) require('fs').appendFileSync(process.env.NO_NETWORK_LOG, attempts.join('\n') + '\n');
});
