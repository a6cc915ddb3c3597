/**
 * The layout `terraform fmt` gives a file, checked line by line (Terraform cannot run here). It
 * follows hclwrite's formatter:
 *
 * - indentation: two spaces per open bracket group; a line whose brackets open more than they
 *   close indents the lines after it by one level, a line that closes a group is dedented first;
 * - alignment: in a run of consecutive "assignment lines" (`name = value` whose value is complete
 *   on the line), the `=` signs line up one space after the longest name. A blank line, a comment
 *   line, or a line whose value opens a multi-line expression ends the run;
 * - spacing: one space after `=`, none inside `[ ]` and `( )`, no tabs, no trailing blanks, one
 *   newline at the end of the file.
 */

interface Scan {
  /** Net bracket change of the line (outside strings). */
  net: number;
  /** Index of the assignment `=` (outside strings), if any. */
  assign: number | undefined;
  /** Net bracket change from the `=` to the end of the line. */
  netAfterAssign: number;
  /** The line with string contents blanked out and comments removed (for spacing checks). */
  code: string;
  /** The line starts with a comment. */
  comment: boolean;
}

const OPEN = '{[(';
const CLOSE = '}])';

/** Scans one line, with string templates (and `${…}` inside them, with nested strings) skipped. */
function scanLine(line: string): Scan {
  // A stack of contexts: 'code' (top level or inside ${…}) and 'string'.
  const stack: Array<{ mode: 'code' | 'string'; braces: number }> = [{ mode: 'code', braces: 0 }];
  let net = 0;
  let assign: number | undefined;
  let netAtAssign = 0;
  let code = '';
  let seenToken = false;
  const trimmed = line.trimStart();
  const comment = trimmed.startsWith('#') || trimmed.startsWith('//');
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    const top = stack[stack.length - 1] as { mode: 'code' | 'string'; braces: number };
    if (top.mode === 'string') {
      if (c === '\\') {
        i++;
        code += '__';
      } else if (c === '"') {
        stack.pop();
        code += '"';
      } else if (c === '$' && line[i + 1] === '{') {
        stack.push({ mode: 'code', braces: 0 });
        i++;
        code += '__';
      } else code += '_';
      continue;
    }
    const outermost = stack.length === 1;
    if (c === '#' || (c === '/' && line[i + 1] === '/')) break;
    if (c === '"') {
      stack.push({ mode: 'string', braces: 0 });
      code += '"';
      seenToken = true;
      continue;
    }
    if (!outermost) {
      // Inside ${…}: only find where it ends.
      if (c === '{') top.braces++;
      else if (c === '}') {
        if (top.braces === 0) stack.pop();
        else top.braces--;
      }
      code += '_';
      continue;
    }
    if (OPEN.includes(c)) net++;
    if (CLOSE.includes(c)) net--;
    const isAssign = c === '=' && !'=!<>'.includes(line[i - 1] ?? '') && line[i + 1] !== '=' && line[i + 1] !== '>';
    if (isAssign && assign === undefined && seenToken) {
      assign = i;
      netAtAssign = net;
    }
    if (c !== ' ') seenToken = true;
    code += c;
  }
  return { net, assign, netAfterAssign: assign === undefined ? 0 : net - netAtAssign, code, comment };
}

/** Problems of `text` against `terraform fmt`'s layout, as "file:line: problem". */
export function fmtProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  if (!text.endsWith('\n') || text.endsWith('\n\n')) problems.push(`${file}: must end with exactly one newline`);
  if (text.includes('\r')) problems.push(`${file}: CRLF line endings`);
  lines.pop();
  const indents: number[] = [];
  let chain: Array<{ n: number; lead: number; eq: number }> = [];
  const closeChain = () => {
    const width = Math.max(...chain.map((c) => c.lead));
    for (const c of chain) if (c.eq !== width + 1) problems.push(`${file}:${c.n}: "=" not aligned (expected column ${width + 2}, found ${c.eq + 1})`);
    chain = [];
  };
  lines.forEach((line, index) => {
    const n = index + 1;
    if (line.includes('\t')) problems.push(`${file}:${n}: tab character`);
    if (/\s$/.test(line)) problems.push(`${file}:${n}: trailing whitespace`);
    if (line.trim() === '') {
      if (chain.length > 0) closeChain();
      return;
    }
    const scan = scanLine(line);
    // Indentation (hclwrite formatIndents).
    let level = indents.length;
    if (scan.net > 0) indents.push(scan.net);
    else if (scan.net < 0) {
      let closed = -scan.net;
      while (closed > 0 && indents.length > 0) {
        const last = indents[indents.length - 1] as number;
        if (closed >= last) {
          closed -= last;
          indents.pop();
        } else {
          indents[indents.length - 1] = last - closed;
          closed = 0;
        }
      }
      level = indents.length;
    }
    const indent = line.length - line.trimStart().length;
    if (indent !== 2 * level) problems.push(`${file}:${n}: indented ${indent} spaces, expected ${2 * level}`);
    // Alignment of "=" in runs of assignment lines.
    const isAssignLine = !scan.comment && scan.assign !== undefined && scan.netAfterAssign === 0;
    if (!isAssignLine) {
      if (chain.length > 0) closeChain();
    } else {
      const eq = scan.assign as number;
      chain.push({ n, lead: line.slice(0, eq).trimEnd().length, eq });
    }
    if (scan.assign !== undefined && !scan.comment && !/^= \S/.test(line.slice(scan.assign))) problems.push(`${file}:${n}: one space expected after "="`);
    // Spacing inside the code (string contents are blanked out).
    const body = scan.code.trimStart();
    if (/\S {2,}/.test(body.replace(/ +=(?!=)/, ' ='))) problems.push(`${file}:${n}: more than one space between tokens`);
    if (/[[(] | [\])]/.test(body)) problems.push(`${file}:${n}: space inside [ ] or ( )`);
    if (/,\S/.test(body)) problems.push(`${file}:${n}: no space after ","`);
  });
  if (chain.length > 0) closeChain();
  if (indents.length > 0) problems.push(`${file}: unbalanced brackets`);
  return problems;
}
