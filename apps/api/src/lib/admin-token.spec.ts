import { randomBytes } from 'node:crypto';
import { adminTokenBits, weakAdminToken } from './admin-token.js';

describe('the admin token strength check', () => {
  it.each([
    ['32 random bytes, base64', randomBytes(32).toString('base64')],
    ['16 random bytes, hex (32 characters)', randomBytes(16).toString('hex')],
    ['22 base64url characters', 'q8Fz0_Lk2VbN7xYp3RcT5w'],
  ])('accepts %s', (_name, token) => {
    expect(adminTokenBits(token)).toBeGreaterThanOrEqual(128);
    expect(weakAdminToken(token)).toBeUndefined();
  });

  it.each([
    ['a word', 's3cret'],
    ['a phrase of lower case letters only, too short', 'letmeinletmein'],
    ['a long run of one character', 'a'.repeat(200)],
    ['one piece repeated', 'Ab1!'.repeat(50)],
    ['few distinct characters', '0101101001011010010110100101101001011010010110100101'],
    ['24 digits', '123456789012345678901234'],
  ])('refuses %s with one line naming the variable and the bits', (_name, token) => {
    const line = weakAdminToken(token)!;
    expect(line).toMatch(/^REELRANK_ADMIN_TOKEN is refused: about \d+ bits of randomness, 128 needed/);
    expect(line).not.toContain('\n');
    expect(line).not.toContain(token);
  });

  it('says nothing when no token is set', () => {
    expect(weakAdminToken(undefined)).toBeUndefined();
    expect(weakAdminToken('')).toBeUndefined();
  });
});
