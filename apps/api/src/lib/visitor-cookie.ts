import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The page's visitor identity as a signed cookie value: `v1.<visitor id>.<user id>.<issued at>.<mac>`,
 * the MAC an HMAC-SHA256 of everything before it (base64url), the visitor id 16 random bytes, the
 * issue time Unix seconds. Signed with the first of `secrets`; verified against each of them, so a
 * previous secret keeps its cookies valid while a new one is rolled out.
 */

export const VISITOR_COOKIE = 'rr_visitor';

export interface Visitor {
  visitorId: string;
  userId: number;
  issuedAt: number;
}

export type VisitorCheck = { ok: true; visitor: Visitor } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'not_yet_valid' };

const FORMAT = /^v1\.([A-Za-z0-9_-]{22})\.(\d{1,10})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
/** Clocks of replicas may differ a little: a cookie issued this far in the future still counts. */
const SKEW_SECONDS = 60;

const mac = (secret: string, text: string): Buffer => createHmac('sha256', secret).update(text, 'utf8').digest();

export function newVisitor(userId: number, now: number): Visitor {
  return { visitorId: randomBytes(16).toString('base64url'), userId, issuedAt: now };
}

export function signVisitor(visitor: Visitor, secret: string): string {
  const text = `v1.${visitor.visitorId}.${visitor.userId}.${visitor.issuedAt}`;
  return `${text}.${mac(secret, text).toString('base64url')}`;
}

export function verifyVisitor(value: string, secrets: readonly string[], maxAgeSeconds: number, now: number): VisitorCheck {
  const match = FORMAT.exec(value);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, visitorId, user, issued, given] = match;
  const text = `v1.${visitorId}.${user}.${issued}`;
  const sent = Buffer.from(given, 'base64url');
  if (!secrets.some((secret) => timingSafeEqual(mac(secret, text), sent))) return { ok: false, reason: 'bad_signature' };
  const issuedAt = Number(issued);
  if (issuedAt > now + SKEW_SECONDS) return { ok: false, reason: 'not_yet_valid' };
  if (issuedAt + maxAgeSeconds <= now) return { ok: false, reason: 'expired' };
  return { ok: true, visitor: { visitorId, userId: Number(user), issuedAt } };
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
