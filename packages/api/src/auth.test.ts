import { UnauthenticatedError } from '@bt/core';
import { describe, expect, it } from 'vitest';
import { principalFromClaims } from './auth.ts';

describe('claims to a principal', () => {
  it("reads API Gateway's rendering of arrays, JSON arrays and separated strings, keeping only known roles", () => {
    expect(principalFromClaims({ sub: 'a', 'cognito:groups': '[admin finance]' }).roles).toEqual(['admin', 'finance']);
    expect(principalFromClaims({ sub: 'a', roles: ['cmt', 'superuser'] }).roles).toEqual(['cmt']);
    expect(principalFromClaims({ sub: 'a', roles: 'programme-manager,finance' }).roles).toEqual(['programme-manager', 'finance']);
    expect(principalFromClaims({ sub: 'a', roles: ['finance'], 'cognito:groups': ['finance'] }).roles).toEqual(['finance']);
    expect(principalFromClaims({ sub: 'a' }).roles).toEqual([]);
  });
  it('names the user by name, falling back to the email, then the subject', () => {
    expect(principalFromClaims({ sub: 'u1', name: 'Una' })).toMatchObject({ sub: 'u1', name: 'Una' });
    expect(principalFromClaims({ sub: 'u1', email: 'una@council.example.gov.uk' })).toMatchObject({
      name: 'una@council.example.gov.uk',
      email: 'una@council.example.gov.uk',
    });
    expect(principalFromClaims({ sub: 'u1' }).name).toBe('u1');
  });
  it("reads a machine client's access token with the feeds' scope as feed-reader, and nothing more", () => {
    const machine = { sub: '4kq1a2b3c4', client_id: '4kq1a2b3c4', token_use: 'access', scope: 'benefits-tracker/feeds/read feeds/read' };
    expect(principalFromClaims(machine)).toMatchObject({ sub: '4kq1a2b3c4', roles: ['feed-reader'] });
    expect(principalFromClaims({ ...machine, scope: 'openid email' }).roles).toEqual([]);
    // The scope only counts on an access token.
    expect(principalFromClaims({ ...machine, token_use: 'id' }).roles).toEqual([]);
  });
  it('refuses claims without a subject', () => {
    expect(() => principalFromClaims({ name: 'x' })).toThrow(UnauthenticatedError);
    expect(() => principalFromClaims(null)).toThrow(UnauthenticatedError);
  });
});

describe('the subject', () => {
  it('is normalised once: white space around it and Unicode forms never make two users of one', () => {
    expect(principalFromClaims({ sub: ' fin ' }).sub).toBe('fin');
    expect(principalFromClaims({ sub: 'fin\t' }).sub).toBe('fin');
    expect(principalFromClaims({ sub: 'Jose\u0301' }).sub).toBe(principalFromClaims({ sub: 'Jos\u00e9' }).sub);
  });
  it('refuses a blank subject or one with control characters', () => {
    for (const sub of ['', '   ', '\t', 'a\u0000b', 'a\nb', 'a\u200bb'])
      expect(() => principalFromClaims({ sub }), JSON.stringify(sub)).toThrow(UnauthenticatedError);
  });
});
