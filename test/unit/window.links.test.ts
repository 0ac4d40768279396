import { describe, expect, it } from 'vitest';
import { linkParts } from '../../src/renderer/src/lib/links';

const links = (text: string) => linkParts(text).filter((part) => part.href !== undefined);

describe('links in messages', () => {
  it('finds http and https links and leaves the rest as text, losing nothing', () => {
    const text = 'see https://example.org/a?b=1#c, and http://10.0.0.5:8080/docs.';
    const parts = linkParts(text);
    expect(parts.map((part) => part.text).join('')).toBe(text);
    expect(links(text)).toEqual([
      { text: 'https://example.org/a?b=1#c', href: 'https://example.org/a?b=1#c' },
      { text: 'http://10.0.0.5:8080/docs', href: 'http://10.0.0.5:8080/docs' },
    ]);
  });

  it('makes no link of javascript:, data:, file:, smb:, mailto:, ftp: or protocol-relative addresses', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'smb://server/share',
      'mailto:alice@example.org',
      'ftp://example.org/file',
      '//example.org/path',
      'JaVaScRiPt:alert(1)',
    ])
      expect(links(text), text).toEqual([]);
  });

  it('guesses no links from bare names, versions or addresses', () => {
    expect(links('example.com, v1.2.3, 192.168.1.20:4000 and alice@example.org')).toEqual([]);
  });

  it('makes no link that hides its host behind a user name', () => {
    expect(links('https://bank.example@evil.example/login')).toEqual([]);
    expect(links('https://user:password@evil.example/login')).toEqual([]);
  });

  it('shows where an internationalised link really leads, in punycode', () => {
    // Cyrillic letters that look like "paypal".
    const [link] = links('https://раураl.com/');
    expect(link!.text).toBe('https://раураl.com/');
    expect(link!.href).toMatch(/^https:\/\/xn--[a-z0-9-]+\.com\/$/);
  });

  it('keeps a message with no link, and an empty one, as a single run', () => {
    expect(linkParts('hello')).toEqual([{ text: 'hello' }]);
    expect(linkParts('')).toEqual([{ text: '' }]);
  });
});
