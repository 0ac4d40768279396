import { LinkifyIt } from 'linkify-it';

/** A run of a message's text: plain, or a web link with the address it opens. */
export type TextPart = { text: string; href?: undefined } | { text: string; href: string };

/**
 * Web links only, and only when written out with http:// or https:// (no "example.com"
 * guesses, no mailto:, ftp: or protocol-relative //host links). linkify-it is the finder
 * markdown-it uses; what it finds is checked again with URL before it becomes an href.
 */
const finder = new LinkifyIt({
  fuzzyLink: false,
  fuzzyEmail: false,
  fuzzyIP: false,
  // A link with a user name is found whole, and then refused (webHref), rather than cut at its
  // @: "https://bank.example@evil.example" must not become a link to bank.example.
  urlAuth: true,
})
  .add('ftp:', null)
  .add('//', null)
  .add('mailto:', null);

/** Longer texts are shown as plain text (Parley's limit is 8,000 characters: this never cuts one). */
const MAX_SCANNED = 20_000;

/** Where a link could start; anything without it has none. */
const SCHEME = /https?:\/\//i;

/**
 * Whether `text` may hold a web link: a plain scan for the scheme, so that the many messages
 * without one skip linkify's regexes and the window renders them as a single text node.
 */
export function hasLink(text: string): boolean {
  return text.length <= MAX_SCANNED && SCHEME.test(text);
}

/**
 * Splits a message's text into plain runs and web links, in order; joined, the runs are the
 * text unchanged. A link's `href` is the URL's normalised form (an IDN host in punycode), so
 * the window can show where it really leads. Nothing here is HTML: the window renders runs as
 * text and links as <a> elements, which main opens in the system browser (main/window.ts).
 */
export function linkParts(text: string): TextPart[] {
  if (!hasLink(text)) return [{ text }];
  const found = finder.match(text) ?? [];
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of found) {
    const href = webHref(match.url);
    if (href === null) continue;
    if (match.index > at) parts.push({ text: text.slice(at, match.index) });
    parts.push({ text: text.slice(match.index, match.lastIndex), href });
    at = match.lastIndex;
  }
  if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at) });
  return parts;
}

function webHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
    // A user name in a link hides its real host ("https://bank.example@evil.example").
    if (parsed.username !== '' || parsed.password !== '') return null;
    return parsed.href;
  } catch {
    return null;
  }
}
