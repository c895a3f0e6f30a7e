/**
 * How much randomness a REELRANK_ADMIN_TOKEN can hold, estimated from its text: length x log2 of
 * the alphabet its character classes span (lower case 26, upper case 26, digits 10, anything else
 * 33), so a 32-character hex string counts 32 x log2(36) = 165 bits and `openssl rand -base64 32`
 * about 256. A token made of one repeated piece, or of fewer than 8 distinct characters, cannot be
 * random whatever its length and counts as the piece alone.
 */
export const MIN_ADMIN_TOKEN_BITS = 128;

export function adminTokenBits(token: string): number {
  const classes = [/[a-z]/.test(token) && 26, /[A-Z]/.test(token) && 26, /\d/.test(token) && 10, /[^a-zA-Z\d]/.test(token) && 33];
  const alphabet = classes.reduce<number>((sum, n) => sum + (n || 0), 0);
  const piece = /^(.+?)\1+$/s.exec(token)?.[1] ?? token;
  const distinct = new Set(piece).size;
  const length = distinct < 8 ? Math.min(piece.length, distinct) : piece.length;
  return alphabet > 1 ? length * Math.log2(alphabet) : 0;
}

/** One line saying why the token is refused, or undefined when it is strong enough. */
export function weakAdminToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  const bits = adminTokenBits(token);
  if (bits >= MIN_ADMIN_TOKEN_BITS) return undefined;
  return (
    `REELRANK_ADMIN_TOKEN is refused: about ${Math.floor(bits)} bits of randomness, ${MIN_ADMIN_TOKEN_BITS} needed ` +
    '(use a random one, e.g. `openssl rand -base64 32`, or unset it and use an admin key: `reelrank keys create --role admin --name NAME`)'
  );
}
