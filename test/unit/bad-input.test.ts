// Bad inputs: each gets its exit code and one clear message that names the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lineOf, ROOT, runCli, SCRIPTS } from '../helpers/cli.ts';

test('a missing file: exit 2, naming the file', () => {
  const missing = path.join(ROOT, 'no-such-script.js');
  const { code, stdout, report } = runCli(['run', missing]);
  assert.equal(code, 2);
  assert.match(stdout.replace(/\s+/g, ' '), /no-such-script\.js: no such file/);
  assert.equal(report?.status, 'failed');
  assert.equal(report?.error?.kind, 'usage');
});

test('a directory or an empty file: exit 2', () => {
  assert.equal(runCli(['run', SCRIPTS]).code, 2);
  const empty = path.join(mkdtempSync(path.join(tmpdir(), 'tfjs-debug-empty-')), 'empty.js');
  writeFileSync(empty, '');
  const r = runCli(['run', empty]);
  assert.equal(r.code, 2);
  assert.match(r.stdout.replace(/\s+/g, ' '), /empty\.js is empty/);
});

test('bad usage: exit 2 with one sentence', () => {
  const r = runCli(['run'], { json: false });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^tfjs-debug: Name the training script/);
  assert.equal(runCli(['run', 'x.js', '--fail-on', 'sometimes'], { json: false }).code, 2);
  assert.equal(runCli(['launch', 'x.js'], { json: false }).code, 2);
});

test('a syntax error: exit 1 with the file and line', () => {
  const script = path.join(SCRIPTS, 'syntax-error.js');
  const { code, stdout, report } = runCli(['run', script]);
  assert.equal(code, 1);
  assert.equal(report?.error?.file, script);
  assert.equal(report?.error?.line, 2);
  assert.match(report?.error?.message ?? '', /SyntaxError/);
  assert.match(stdout, /syntax-error\.js:2/);
});

test('a script that throws: exit 1, its error and stack with the user file and line', () => {
  const script = path.join(SCRIPTS, 'throws.js');
  const { code, stdout, report } = runCli(['run', script]);
  assert.equal(code, 1);
  assert.equal(report?.error?.message, 'the data file is missing');
  assert.equal(report?.error?.file, script);
  assert.equal(report?.error?.line, lineOf(script, 'throw new Error'));
  assert.match(stdout, /throws\.js:\d+/);
  assert.match(stdout, /at train /);
});

test('process.exit(3) mid-run: exit 1, what was recorded is kept', () => {
  const script = path.join(SCRIPTS, 'exits.js');
  const { code, report } = runCli(['run', script]);
  assert.equal(code, 1);
  assert.match(report?.error?.message ?? '', /process\.exit\(3\)/);
  assert.equal(report?.error?.line, lineOf(script, 'process.exit(3)'));
  assert.equal(report?.gradientCalls.length, 1);
});

test('a script with no gradient calls: exit 0 and a no-gradient-calls finding', () => {
  const { code, stdout, report } = runCli(['run', path.join(SCRIPTS, 'no-gradients.js')]);
  assert.equal(code, 0);
  assert.deepEqual(report?.findings.map((f) => f.rule), ['no-gradient-calls']);
  assert.match(stdout.replace(/\s+/g, ' '), /made no gradient call/);
});

test('a script that never ends: --timeout stops it with exit 4', () => {
  const started = Date.now();
  const { code, report } = runCli(['run', path.join(SCRIPTS, 'hangs.js'), '--timeout', '2']);
  assert.equal(code, 4);
  assert.equal(report?.status, 'timed-out');
  assert.ok(Date.now() - started < 15_000);
});

test('--fail-on warning: exit 3 when a warning is found', () => {
  const { code } = runCli(['run', path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), '--fail-on', 'warning']);
  assert.equal(code, 3);
  const { code: errorOnly } = runCli(['run', path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), '--fail-on', 'error']);
  assert.equal(errorOnly, 0);
});

test('script arguments after -- reach the script', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-args-'));
  const script = path.join(dir, 'args.js');
  writeFileSync(script, "console.log('ARGS ' + JSON.stringify(process.argv.slice(2)) + ' MAIN ' + (require.main === module));\n");
  const { code, stdout, report } = runCli(['run', script, '--', '--epochs', '3', 'data.csv'], { cwd: dir });
  assert.equal(code, 0);
  assert.match(stdout, /ARGS \["--epochs","3","data.csv"\] MAIN true/);
  assert.deepEqual(report?.args, ['--epochs', '3', 'data.csv']);
});
