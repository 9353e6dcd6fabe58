import { describe, expect, it } from 'vitest';
import { safeNext } from './login.tsx';

describe('where sign-in goes next', () => {
  it('keeps a path on this site, with its query', () => {
    expect(safeNext('/projects/prj_01?financialYear=2025/26')).toBe('/projects/prj_01?financialYear=2025/26');
    expect(safeNext('/')).toBe('/');
  });
  it('never leaves the site, however the path is disguised', () => {
    for (const next of [
      '//evil.example',
      '/\t/evil.example',
      '/\\evil.example',
      '/\\/evil.example',
      'https://evil.example',
      '/%09/evil.example'.replace('%09', '\t'),
      '/\n/evil.example',
      ' /x',
      'javascript:alert(1)',
      '',
      undefined,
      42,
    ]) {
      expect(safeNext(next), JSON.stringify(next)).toBe('/');
    }
  });
  it('refuses control characters (a header cannot carry them) rather than failing', () => {
    for (const next of ['/a\rb', '/a\nb', '/a\u0000b', '/caf\u00e9']) expect(safeNext(next), JSON.stringify(next)).toBe('/');
  });
  it('keeps percent-encoded text as it is: the browser decodes nothing into a host', () => {
    expect(safeNext('/%09/evil.example')).toBe('/%09/evil.example');
    expect(new URL(safeNext('/%09/evil.example'), 'https://tracker.example').host).toBe('tracker.example');
  });
});
