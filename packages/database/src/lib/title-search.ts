/**
 * Title normalisation shared by the loader (movies.title_search) and searchMovies (the query),
 * so "the matrix", "Matrix" and "matrix, the" all find "Matrix, The (1999)", and "amelie"
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
 * The smallest string greater than every string that starts with `prefix` (BINARY collation
 * compares UTF-8 bytes, which orders like code points): `"abc"` -> `"abd"`. Together with
 * `>= prefix` it turns a prefix match into an index range scan.
 */
export function prefixUpperBound(prefix: string): string {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1; // skip the surrogate range
      return codePoints.join('') + String.fromCodePoint(next);
    }
  }
  return '\u{10ffff}'.repeat(2); // prefix made only of U+10FFFF: practically unreachable
}
