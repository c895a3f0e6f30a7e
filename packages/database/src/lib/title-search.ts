/**
 * Title normalisation shared by the loader (movies.title_search) and the served search by relevance
 * (packages/serving title-search-index.ts), so "the matrix", "Matrix" and "matrix, the" all find "Matrix, The (1999)", and "amelie"
 * finds "Amélie".
 */

// MovieLens moves leading articles to the end: "Matrix, The (1999)", "Avventura, L' (1960)".
const TRAILING_ARTICLE = /,\s*(the|a|an|les|le|la|l'|el|il|lo|los|las|der|die|das|det|den|un|une)(?=\s*\(|\s*\)|\s*$)/giu;
const LEADING_ARTICLE = /^(the|a|an)\s+(?=\S)/u;

export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // drop combining accents: "é" -> "e"
    .toLowerCase()
    .replace(TRAILING_ARTICLE, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(LEADING_ARTICLE, '');
}

/**
 * Relevance search: a title split into what a person types. MovieLens titles read
 * "Matrix, The (1999)" or "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)": the release year
 * at the end, alternative titles in parentheses, the article moved behind a comma.
 */
export interface TitleKey {
  /** The title before any parenthesis, folded (see foldWords): "matrix", "star wars episode iv a new hope". */
  main: string;
  /** The main title and every alternative title, each folded. */
  parts: string[];
  /** The parts joined by " | " and padded with spaces (" amelie | fabuleux destin d amelie poulain "): whole words match inside one part. */
  padded: string;
  /** The year in the title's "(1999)" suffix. */
  year: number | null;
}

/** A query: its folded words and the year it names at its end ("matrix 1999", "matrix (1999)"), if any. */
export interface TitleQuery {
  text: string;
  year: number | null;
}

/** How well a title matches a query, best first; NO_MATCH when it does not. */
export const MatchTier = { exact: 0, startsWithWords: 1, wholeWords: 2, prefix: 3, substring: 4 } as const;
export const NO_MATCH = -1;

const YEAR_SUFFIX = /\s*\((\d{4})(?:\s*[-–]\s*\d{0,4})?\)\s*$/u;
const QUERY_YEAR = /(?:^|\s)\(?(\d{4})\)?\s*$/u;
const ARTICLE_AT_END = /,\s*(the|a|an|les|le|la|l'|el|il|lo|los|las|der|die|das|det|den|un|une)\s*$/u;
const ARTICLE_AT_START = /^(the|a|an) (?=\S)/u;

/** Lower case without accents (NFKD, combining marks dropped): "Amélie" -> "amelie". */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** A folded phrase as words: apostrophes dropped, other punctuation a space, the articles dropped ("Matrix, The" -> "matrix"). */
export function foldWords(text: string): string {
  const words = fold(text)
    .trim()
    .replace(ARTICLE_AT_END, '')
    .replace(/['’`]/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return words.replace(ARTICLE_AT_START, '');
}

export function titleKey(title: string): TitleKey {
  const yearMatch = YEAR_SUFFIX.exec(title);
  const bare = yearMatch ? title.slice(0, yearMatch.index) : title;
  const open = bare.indexOf('(');
  const main = foldWords(open < 0 ? bare : bare.slice(0, open));
  const alternates = [...bare.matchAll(/\(([^()]*)\)/gu)].map((m) => foldWords(m[1].replace(/^\s*a\.?k\.?a\.?\s*/iu, '')));
  const parts = [main, ...alternates].filter((p) => p !== '');
  return { main, parts, padded: ` ${parts.join(' | ')} `, year: yearMatch ? Number(yearMatch[1]) : null };
}

export function titleQuery(query: string): TitleQuery {
  const yearMatch = QUERY_YEAR.exec(query.trim());
  if (yearMatch) {
    const text = foldWords(query.trim().slice(0, yearMatch.index));
    if (text !== '') return { text, year: Number(yearMatch[1]) };
  }
  return { text: foldWords(query), year: null };
}

/**
 * The tier of a title for a query: the exact title (or an alternative title) first, then titles
 * starting with the query's whole words ("star wars" -> "Star Wars: Episode IV ..."), then titles
 * holding them as whole words anywhere, then titles starting with the text as typed, then titles
 * merely containing it. An empty query matches every title as a substring.
 */
export function matchTier(key: TitleKey, query: string): number {
  if (query === '') return MatchTier.substring;
  if (key.parts.includes(query)) return MatchTier.exact;
  if (key.main.startsWith(`${query} `)) return MatchTier.startsWithWords;
  if (key.padded.includes(` ${query} `)) return MatchTier.wholeWords;
  if (key.main.startsWith(query)) return MatchTier.prefix;
  return key.padded.includes(query) ? MatchTier.substring : NO_MATCH;
}
