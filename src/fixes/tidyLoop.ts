// tensor-leak in a loop: the loop body run inside tf.tidy, which frees every tensor the step creates and does not
// return. Offered only where that cannot change what the loop does: no await or yield in the step (tidy is
// synchronous), no return, break or continue that leaves it, and nothing the step creates stored outside it (no
// assignment to a variable or property declared outside the body, no push and the like into one); elsewhere
// the dispose fix stands (sourceFixes.ts). Pure: source text in, text edits out.
import ts from 'typescript';
import type { SourceFix } from './edits.ts';
import { isFunctionLike } from './syntax.ts';

type Loop = ts.IterationStatement;

/** Methods that store their argument in the receiver. */
const STORING = new Set(['push', 'unshift', 'splice', 'set', 'add', 'concat', 'fill']);

function declaredIn(body: ts.Block): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node) => {
    if ((ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isBindingElement(n)) && ts.isIdentifier(n.name)) names.add(n.name.text);
    if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name) names.add(n.name.text);
    n.forEachChild(visit);
  };
  body.forEachChild(visit);
  return names;
}

/** The identifier an expression stores into (`a`, `a.b`, `a[0]`), or null. */
function rootName(e: ts.Expression): string | null {
  let x = e;
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) || ts.isParenthesizedExpression(x)) x = x.expression;
  return ts.isIdentifier(x) ? x.text : null;
}

function isAssignment(n: ts.Node): n is ts.BinaryExpression {
  return ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

/** Why wrapping the body in tf.tidy could change the loop, or null when it cannot. */
export function tidyBlocker(body: ts.Block): string | null {
  const inside = declaredIn(body);
  let reason: string | null = null;
  const visit = (n: ts.Node, inFunction: boolean, inInnerLoop: boolean) => {
    if (reason) return;
    if (ts.isAwaitExpression(n) || ts.isYieldExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier)) reason = 'the step awaits';
    else if (!inFunction && ts.isReturnStatement(n)) reason = 'the step returns';
    else if (!inInnerLoop && (ts.isBreakStatement(n) || ts.isContinueStatement(n)) && !n.label) reason = 'the step breaks or continues the loop';
    else if ((ts.isBreakStatement(n) || ts.isContinueStatement(n)) && n.label) reason = 'the step jumps to a label';
    else if (isAssignment(n)) {
      const name = rootName(n.left);
      if (!name || !inside.has(name)) reason = 'the step stores into something declared outside it';
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && STORING.has(n.expression.name.text)) {
      const name = rootName(n.expression.expression);
      if (!name || !inside.has(name)) reason = `the step stores into ${name ?? 'an outer value'} (${n.expression.name.text})`;
    }
    const fn = inFunction || isFunctionLike(n);
    const loop = inInnerLoop || ts.isIterationStatement(n, false) || ts.isSwitchStatement(n);
    n.forEachChild((c) => visit(c, fn, loop));
  };
  body.forEachChild((c) => visit(c, false, false));
  return reason;
}

/** `for (…) { tf.tidy(() => { …the step… }); }`, or null where that could change the loop. */
export function tidyLoopFix(sf: ts.SourceFile, loop: Loop, tf: string): SourceFix | null {
  const body = loop.statement;
  if (!ts.isBlock(body) || body.statements.length === 0 || tidyBlocker(body)) return null;
  const text = sf.text;
  const open = body.getStart(sf) + 1;
  const close = body.end - 1;
  const loopIndent = ' '.repeat(sf.getLineAndCharacterOfPosition(loop.getStart(sf)).character);
  const stepIndent = ' '.repeat(sf.getLineAndCharacterOfPosition(body.statements[0].getStart(sf)).character);
  const unit = stepIndent.length > loopIndent.length ? stepIndent.slice(loopIndent.length) : '  ';
  const inner = text.slice(open, close).replace(/^\s*\n/, '').replace(/\s+$/, '');
  const indented = inner.split('\n').map((l) => (l.trim() ? `${unit}${l}` : l)).join('\n');
  return {
    title: `Run each step of the loop in ${tf}.tidy (frees the tensors it creates)`,
    edits: [{ start: open, end: close, text: `\n${stepIndent}${tf}.tidy(() => {\n${indented}\n${stepIndent}});\n${loopIndent}` }],
  };
}
