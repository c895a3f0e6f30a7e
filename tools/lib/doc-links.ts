/**
 * Relative links in Markdown and whether they lead somewhere: the file must exist, and a `#anchor`
 * must be a heading of the target with the slug GitHub gives it (github-slugger's rules: lower case,
 * punctuation dropped, each space a hyphen, repeats numbered -1, -2, ...).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  reason: string;
}

/** The prose lines of a document: fenced code blocks blanked, so their text is never read as links or headings. */
function proseLines(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const opener = /^\s*(```+|~~~+)/.exec(line);
    if (fence) {
      if (opener && opener[1][0] === fence[0] && opener[1].length >= fence.length) fence = null;
      return '';
    }
    if (opener) {
      fence = opener[1];
      return '';
    }
    return line;
  });
}

/** A heading's text as GitHub renders it: links become their text, code spans and emphasis lose their marks. */
function headingText(raw: string): string {
  return raw
    .replace(/\s+#+\s*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
}

/** GitHub's slug of a heading's text (before numbering repeats). */
export function slugOf(text: string): string {
  return headingText(text)
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a document offers: its headings' slugs (repeats numbered) and explicit `<a id|name>` anchors. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      const base = slugOf(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const html of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(html[1]);
  }
  return anchors;
}

/** The link targets of a document with their line numbers, outside code blocks and code spans. */
export function linksOf(markdown: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  proseLines(markdown).forEach((text, index) => {
    const prose = text.replace(/(`+)[^`]*?\1/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line: index + 1, target: match[1] });
    for (const match of prose.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)) links.push({ line: index + 1, target: match[1] });
  });
  return links;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** The relative links of `file` that lead to no file, or to no heading of it. */
export function brokenLinks(file: string, root: string): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const shown = relative(root, file);
  for (const { line, target } of linksOf(readFileSync(file, 'utf8'))) {
    if (isExternal(target)) continue;
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const path = pathPart === '' ? file : join(dirname(file), decodeURIComponent(pathPart));
    if (!existsSync(path)) {
      broken.push({ file: shown, line, target, reason: `${relative(root, path)} does not exist` });
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (!path.endsWith('.md')) {
      broken.push({ file: shown, line, target, reason: `an anchor into ${relative(root, path)}, which is not Markdown` });
      continue;
    }
    if (!anchorsOf(readFileSync(path, 'utf8')).has(decodeURIComponent(anchor))) {
      broken.push({ file: shown, line, target, reason: `${relative(root, path)} has no heading with the anchor #${anchor}` });
    }
  }
  return broken;
}
