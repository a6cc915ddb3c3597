/**
 * The documentation as the docs tests read it: which files, their headings' anchors (as GitHub
 * makes them), their links, their fenced code blocks and their inline code.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Every page a reader is sent to, relative to the repository root. */
export function documentationFiles(): string[] {
  return [
    'README.md',
    'CHANGELOG.md',
    'events/README.md',
    'terraform/README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
}

/** The pages of docs/. */
export function docsPages(): string[] {
  return documentationFiles().filter((f) => f.startsWith('docs/'));
}

export interface CodeBlock {
  /** The info string after the opening fence (`sh`, `text`, …); empty when there is none. */
  lang: string;
  text: string;
}

const FENCE = /^(```+)([^\n`]*)\n([\s\S]*?)^\1[ \t]*$/gm;

/** The fenced code blocks of a page. Indented fences (inside list items) count too. */
export function codeBlocks(text: string): CodeBlock[] {
  const unindented = text.replace(/^ {2,4}(?=```)/gm, '');
  return [...unindented.matchAll(FENCE)].map((m) => ({
    lang: (m[2] ?? '').trim(),
    text: (m[3] ?? '').replace(/^ {2,4}/gm, ''),
  }));
}

/** The page without its fenced code blocks. */
export function prose(text: string): string {
  return text.replace(/^ {0,4}(```+)[^\n]*\n[\s\S]*?^ {0,4}\1[ \t]*$/gm, '');
}

/** The inline code spans of the page's prose. */
export function inlineCode(text: string): string[] {
  return [...prose(text).matchAll(/(`+)([^`][\s\S]*?)\1(?!`)/g)].map((m) => (m[2] ?? '').trim());
}

/** The targets of the page's Markdown links (`[text](target)`), outside code. */
export function links(text: string): string[] {
  const withoutCode = prose(text).replace(/(`+)[^`][\s\S]*?\1(?!`)/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
}

/**
 * A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens.
 *
 * @example
 * slug("The webhook's parameter"); // 'the-webhooks-parameter'
 */
export function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a page's headings; a repeated heading gets `-1`, `-2`, … as on GitHub. */
export function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  return new Set(
    [...prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.*)$/gm)].map(([, heading = '']) => {
      const base = slug(heading);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      return n === 0 ? base : `${base}-${n}`;
    }),
  );
}
