// Code fixes for findings: edits computed on the script's syntax tree (TypeScript's parser, which reads
// JavaScript too), never by regexes. Pure: source text and a finding in, a titled list of text edits out; the
// extension turns them into code actions. Each fix is offered only where its shape is found exactly:
// - running-stats-lagging: set `momentum: 0.9` in the `batchNormalization({...})` call the finding points at;
// - running-stats-frozen: pass `{training: true}` to the model call inside the loss closure of the gradient
//   call (a bare `model.apply(x)` runs in inference mode);
// - loss-gap (BatchNorm) and frozen-layer-in-training-mode: call the model in inference mode inside the loss
//   closure (`{training: true}` becomes `{training: false}`, or `{training: false}` is added);
// - tensor-leak: dispose what the leaking statement declares, at the end of the loop body it is in.
import ts from 'typescript';
import type { Finding, RunReport, SourceLocation } from '../protocol/report.ts';

export interface TextEdit {
  /** Offsets in the source text. */
  start: number;
  end: number;
  text: string;
}

export interface SourceFix {
  title: string;
  edits: TextEdit[];
}

function parse(file: string, text: string): ts.SourceFile {
  const kind = /\.[cm]?ts$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
}

/** The offset of a 1-based line and column. */
function offsetOf(sf: ts.SourceFile, at: SourceLocation): number {
  const lines = sf.getLineStarts();
  if (at.line < 1 || at.line > lines.length) return -1;
  return Math.min(sf.getPositionOfLineAndCharacter(at.line - 1, 0) + Math.max(0, at.column - 1), sf.end);
}

/** Every node of kind `test` whose span contains the offset, innermost last. */
function enclosing<T extends ts.Node>(sf: ts.SourceFile, offset: number, test: (n: ts.Node) => n is T): T[] {
  const out: T[] = [];
  const visit = (n: ts.Node) => {
    if (offset < n.getStart(sf) || offset > n.end) return;
    if (test(n)) out.push(n);
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

/** Calls on the line of `at` (the innermost first), whatever column the stack frame gave. */
function callsOnLine(sf: ts.SourceFile, at: SourceLocation): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n)) {
      const line = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
      if (line === at.line) out.push(n);
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return out.reverse();
}

const calleeName = (call: ts.CallExpression): string => {
  const e = call.expression;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isIdentifier(e)) return e.text;
  return '';
};

/** `momentum: 0.9` in the object literal of `batchNormalization({...})` (added, or its value replaced). */
function setMomentum(sf: ts.SourceFile, at: SourceLocation, momentum: number): SourceFix | null {
  const call = callsOnLine(sf, at).find((c) => calleeName(c) === 'batchNormalization');
  if (!call) return null;
  const arg = call.arguments[0];
  const title = `Set momentum: ${momentum} on this BatchNormalization layer`;
  if (!arg) return { title, edits: [{ start: call.arguments.pos, end: call.arguments.end, text: `{ momentum: ${momentum} }` }] };
  if (!ts.isObjectLiteralExpression(arg)) return null;
  const existing = arg.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === 'momentum');
  if (existing) return { title, edits: [{ start: existing.initializer.getStart(sf), end: existing.initializer.end, text: String(momentum) }] };
  const insertAt = arg.getStart(sf) + 1;
  return { title, edits: [{ start: insertAt, end: insertAt, text: arg.properties.length ? ` momentum: ${momentum},` : ` momentum: ${momentum} ` }] };
}

/** The function passed to the gradient call at `at` (the loss closure). */
function lossClosure(sf: ts.SourceFile, at: SourceLocation): ts.ArrowFunction | ts.FunctionExpression | null {
  for (const call of callsOnLine(sf, at)) {
    const f = call.arguments.find((a): a is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
    if (f) return f;
  }
  return null;
}

/** `something.apply(x)` or `something.apply(x, {...})` calls inside a function: the model calls. */
function modelCalls(fn: ts.Node): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'apply' &&
        n.arguments.length >= 1 && n.arguments.length <= 2) out.push(n);
    n.forEachChild(visit);
  };
  fn.forEachChild(visit);
  return out;
}

/** Sets `training` in a model call's kwargs (added when the call has none). */
function setTraining(sf: ts.SourceFile, call: ts.CallExpression, training: boolean): TextEdit | null {
  const kwargs = call.arguments[1];
  if (!kwargs) return { start: call.arguments[0].end, end: call.arguments[0].end, text: `, { training: ${training} }` };
  if (!ts.isObjectLiteralExpression(kwargs)) return null;
  const prop = kwargs.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === 'training');
  if (prop) {
    const value = prop.initializer.getText(sf);
    if (value === String(training)) return null;
    return { start: prop.initializer.getStart(sf), end: prop.initializer.end, text: String(training) };
  }
  const insertAt = kwargs.getStart(sf) + 1;
  return { start: insertAt, end: insertAt, text: kwargs.properties.length ? ` training: ${training},` : ` training: ${training} ` };
}

function modeFix(sf: ts.SourceFile, gradientCall: SourceLocation | null, training: boolean, title: string): SourceFix | null {
  if (!gradientCall) return null;
  const closure = lossClosure(sf, gradientCall);
  if (!closure) return null;
  const edits = modelCalls(closure).map((c) => setTraining(sf, c, training)).filter((e): e is TextEdit => e != null);
  return edits.length ? { title, edits } : null;
}

/** `tf.dispose([a, b])` at the end of the loop body that holds the leaking declaration. */
function disposeLeak(sf: ts.SourceFile, at: SourceLocation): SourceFix | null {
  const offset = offsetOf(sf, at);
  if (offset < 0) return null;
  const decls = enclosing(sf, offset, ts.isVariableStatement);
  const decl = decls[decls.length - 1];
  if (!decl) return null;
  const names = decl.declarationList.declarations.flatMap((d) => {
    if (ts.isIdentifier(d.name)) return [d.name.text];
    if (ts.isObjectBindingPattern(d.name) || ts.isArrayBindingPattern(d.name)) {
      return d.name.elements.flatMap((e) => (ts.isBindingElement(e) && ts.isIdentifier(e.name) ? [e.name.text] : []));
    }
    return [];
  });
  const loops = enclosing(sf, offset, (n): n is ts.IterationStatement => ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n));
  const loop = loops[loops.length - 1];
  if (!names.length || !loop || !ts.isBlock(loop.statement)) return null;
  const body = loop.statement;
  const last = body.statements[body.statements.length - 1];
  const indent = last ? ' '.repeat(sf.getLineAndCharacterOfPosition(last.getStart(sf)).character) : '  ';
  const at2 = last ? last.end : body.getStart(sf) + 1;
  return { title: `Dispose ${names.join(', ')} at the end of each step`, edits: [{ start: at2, end: at2, text: `\n${indent}tf.dispose([${names.join(', ')}]);` }] };
}

/** The fixes a finding has in this file's source. */
export function fixesFor(finding: Finding, report: RunReport, file: string, text: string): SourceFix[] {
  const sf = parse(file, text);
  const call = finding.gradientCall != null ? report.gradientCalls.find((c) => c.index === finding.gradientCall) : undefined;
  const callSite = call?.source && call.source.file === file ? call.source : null;
  const here = finding.source && finding.source.file === file ? finding.source : null;
  const fixes: (SourceFix | null)[] = [];
  switch (finding.rule) {
    case 'running-stats-lagging':
      if (here) fixes.push(setMomentum(sf, here, 0.9));
      break;
    case 'running-stats-frozen':
      fixes.push(modeFix(sf, callSite ?? firstCallSite(report, file), true, 'Run the model in training mode in the loss closure ({training: true})'));
      break;
    case 'loss-gap':
    case 'frozen-layer-in-training-mode':
      fixes.push(modeFix(sf, callSite, false, 'Run the model in inference mode in the loss closure ({training: false})'));
      break;
    case 'tensor-leak':
      if (here) fixes.push(disposeLeak(sf, here));
      break;
    default:
      break;
  }
  return fixes.filter((f): f is SourceFix => f != null);
}

/** The first recorded gradient call made from this file (a rule that names a layer, not a call). */
function firstCallSite(report: RunReport, file: string): SourceLocation | null {
  return report.gradientCalls.find((c) => c.source?.file === file)?.source ?? null;
}

/** The text with the edits applied (they must not overlap). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);
}
