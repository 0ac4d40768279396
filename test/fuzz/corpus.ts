/**
 * A seeded, deterministic generator of frames a hostile member might send a room host: garbage
 * bytes, invalid UTF-8, truncated and absurdly nested JSON, huge strings, every field of every
 * client frame with the wrong type, prototype-pollution keys, odd numbers, binary and empty
 * frames, and some valid frames among them (which should succeed). The same seed always yields
 * the same frames, so a failure can be replayed.
 */
import { LIMITS, PROTOCOL_VERSION } from '../../src/shared/protocol';

/** One frame to send: `data` as a text frame, or as a binary one when `binary`. */
export interface BadFrame {
  /** What kind of mischief this is (for the report and for replaying one kind). */
  kind: string;
  data: string | Buffer;
  binary: boolean;
}

/** mulberry32: small, fast and good enough to pick mischief with. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function token(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[int(rng, ALPHABET.length)];
  return s;
}

function bytes(rng: Rng, length: number): Buffer {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = int(rng, 256);
  return buf;
}

/** Builds JSON text from raw JSON values, so values JSON.stringify cannot make (1e309, -0) fit. */
function rawObject(entries: [string, string][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

/** JSON values of every wrong kind, as raw JSON text. */
const ODD_VALUES: readonly string[] = [
  'null',
  'true',
  'false',
  '0',
  '-0',
  '-1',
  '1.5',
  '1e308',
  '-1e308',
  '1e309',
  '-1e309',
  '9007199254740993',
  '5e-324',
  '"NaN"',
  '"Infinity"',
  '"-0"',
  '"1"',
  '""',
  '"   "',
  '[]',
  '{}',
  '[1,2,3]',
  '{"a":1}',
  '"\\u0000\\u0007\\u001b[31m"',
  '"\\ud800"',
  '"\\udfff\\ud800"',
  '"\\u202e\\u200b"',
  JSON.stringify('x'.repeat(LIMITS.maxIdChars + 1)),
  JSON.stringify('n'.repeat(LIMITS.maxNickChars + 1)),
  JSON.stringify('t'.repeat(LIMITS.maxTextChars + 1)),
  '"__proto__"',
  '"constructor"',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"toString":1,"valueOf":null}',
];

/**
 * Placeholders in a valid hello, which the fuzzer replaces with a fresh key's public key and
 * its signature over the connection's challenge (only the connection can know it).
 */
export const SIGNED_HELLO = { pub: '@pub@', sig: '@sig@' } as const;

/** The client frames with the fields each has, as valid raw JSON values (seeded). */
function validFields(rng: Rng): Record<'hello' | 'post' | 'fetch', [string, string][]> {
  return {
    hello: [
      ['type', '"hello"'],
      ['v', String(PROTOCOL_VERSION)],
      ['nick', JSON.stringify(`Fuzz ${token(rng, 4)}`)],
      // Well formed but never a valid signature: the host answers BAD_SIGNATURE and closes.
      ['pub', JSON.stringify(token(rng, 43))],
      ['sig', JSON.stringify(token(rng, 86))],
      ['since', String(int(rng, 100))],
    ],
    post: [
      ['type', '"post"'],
      ['text', JSON.stringify(`fuzz ${token(rng, 8)}`)],
      ['to', JSON.stringify(token(rng, 16))],
      ['cid', JSON.stringify(token(rng, 20))],
    ],
    fetch: [
      ['type', '"fetch"'],
      ['after', String(int(rng, 50))],
      ['limit', String(1 + int(rng, LIMITS.pageMax))],
      ['ref', JSON.stringify(token(rng, 8))],
    ],
  };
}

/** Frames that should succeed (or fail only for the room's state: NOT_JOINED, NO_SUCH_MEMBER...). */
function validFrame(rng: Rng): string {
  const kind = int(rng, 5);
  if (kind === 0)
    return JSON.stringify({
      type: 'hello',
      v: PROTOCOL_VERSION,
      nick: `Fuzzy ${token(rng, 3)}`,
      // The sender signs it for its connection (a real member's hello): see SIGNED_HELLO.
      pub: SIGNED_HELLO.pub,
      sig: SIGNED_HELLO.sig,
    });
  if (kind === 1)
    return JSON.stringify({
      type: 'fetch',
      before: 1 + int(rng, 1000),
      limit: 1 + int(rng, 20),
      ref: token(rng, 6),
    });
  if (kind === 2) return JSON.stringify({ type: 'fetch', after: int(rng, 1000) });
  return JSON.stringify({
    type: 'post',
    text: `hello from the fuzzer ${token(rng, 6)}`,
    cid: token(rng, 20),
  });
}

/** Frames only a host sends: a member sending them must get UNKNOWN_TYPE. */
function hostFrame(rng: Rng): string {
  const member = { id: token(rng, 16), nick: 'Mallory' };
  const message = { id: token(rng, 8), seq: 1, ts: 0, from: member, text: 'hi' };
  return JSON.stringify(
    pick(rng, [
      {
        type: 'welcome',
        v: 1,
        you: member,
        room: {},
        history: [],
        more: false,
        heartbeatMs: 1,
      },
      { type: 'message', message },
      { type: 'ack', cid: 'c', id: 'm', seq: 1 },
      { type: 'page', messages: [message], more: true },
      { type: 'roster', members: [member], done: true },
      { type: 'presence', joined: [member], left: [{ member, reason: 'quit' }], count: 1 },
      { type: 'error', code: 'BAD_JSON', message: 'you first' },
    ]),
  );
}

const DEPTH = 10_000;

/** Each generator returns one frame; `weight` is how often it is picked relative to the others. */
const GENERATORS: { kind: string; weight: number; make: (rng: Rng) => Omit<BadFrame, 'kind'> }[] = [
  { kind: 'valid', weight: 12, make: (rng) => ({ data: validFrame(rng), binary: false }) },
  { kind: 'random-bytes', weight: 4, make: (rng) => ({ data: bytes(rng, int(rng, 512)), binary: true }) },
  {
    // Text frames whose bytes are not UTF-8: the WebSocket layer itself must refuse them (1007).
    kind: 'invalid-utf8',
    weight: 1,
    make: (rng) => ({
      data: Buffer.concat([
        Buffer.from('{"type":"post","text":"'),
        pick(rng, INVALID_UTF8),
        Buffer.from('"}'),
      ]),
      binary: false,
    }),
  },
  {
    kind: 'random-text',
    weight: 4,
    make: (rng) => ({
      data: String.fromCharCode(...Array.from({ length: int(rng, 200) }, () => 32 + int(rng, 95))),
      binary: false,
    }),
  },
  {
    kind: 'truncated-json',
    weight: 6,
    make: (rng) => {
      const whole = pick(rng, [
        validFrame(rng),
        hostFrame(rng),
        rawObject(pick(rng, Object.values(validFields(rng)))),
      ]);
      return { data: whole.slice(0, int(rng, whole.length)), binary: false };
    },
  },
  {
    kind: 'deep-nesting',
    weight: 1,
    make: (rng) => {
      const arrays = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
      const objects = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
      const data = pick(rng, [
        arrays,
        objects,
        `{"type":"post","cid":"deep","text":${arrays}}`,
        `{"type":"fetch","after":0,"ref":${objects.slice(0, 5 * 9_000) + '1' + '}'.repeat(9_000)}}`,
        '['.repeat(DEPTH), // and never closed
        '{"a":'.repeat(DEPTH),
      ]);
      return { data, binary: false };
    },
  },
  {
    kind: 'huge-string',
    weight: 2,
    make: (rng) => {
      const frame = (text: string): string => JSON.stringify({ type: 'post', text, cid: token(rng, 10) });
      const overhead = frame('').length;
      const data = pick(rng, [
        frame('t'.repeat(LIMITS.maxTextChars)), // exactly the limit: accepted
        frame('t'.repeat(LIMITS.maxTextChars + 1)), // TEXT_TOO_LONG
        frame('é'.repeat(LIMITS.maxTextChars)), // 16,000 bytes, 8,000 chars: accepted
        frame('😀'.repeat(LIMITS.maxTextChars / 2 + 1)), // 8,002 UTF-16 units: TEXT_TOO_LONG
        frame('t'.repeat(LIMITS.maxPayloadBytes - overhead)), // exactly 64 KiB: answered
        frame('t'.repeat(LIMITS.maxPayloadBytes - overhead + 1)), // one byte over: closed, 1009
        ' '.repeat(LIMITS.maxPayloadBytes - 2) + '{}', // white space up to the limit
      ]);
      return { data, binary: false };
    },
  },
  {
    kind: 'wrong-field-type',
    weight: 12,
    make: (rng) => {
      const entries = pick(rng, Object.values(validFields(rng)));
      const i = 1 + int(rng, entries.length - 1);
      const mutated = entries.map(([k, v], j): [string, string] => [k, j === i ? pick(rng, ODD_VALUES) : v]);
      return { data: rawObject(mutated), binary: false };
    },
  },
  {
    kind: 'missing-field',
    weight: 4,
    make: (rng) => {
      const entries = pick(rng, Object.values(validFields(rng)));
      const i = 1 + int(rng, entries.length - 1);
      return { data: rawObject(entries.filter((_, j) => j !== i)), binary: false };
    },
  },
  {
    kind: 'unknown-type',
    weight: 4,
    make: (rng) => {
      const type = pick(rng, [
        JSON.stringify(token(rng, 1 + int(rng, 100))),
        '"__proto__"',
        '"constructor"',
        '"toString"',
        '"hasOwnProperty"',
        '"HELLO"',
        '" post"',
        '1',
        'null',
        '["post"]',
        '{"type":"post"}',
      ]);
      return { data: `{"type":${type},"cid":"u${int(rng, 1000)}"}`, binary: false };
    },
  },
  { kind: 'host-frame', weight: 2, make: (rng) => ({ data: hostFrame(rng), binary: false }) },
  {
    kind: 'prototype-keys',
    weight: 4,
    make: (rng) => {
      const evil = pick(rng, [
        ['__proto__', '{"polluted":true,"type":"post"}'],
        ['constructor', '{"prototype":{"polluted":true}}'],
        ['prototype', '{"polluted":true}'],
        ['__proto__', 'null'],
      ] as const);
      const entries = pick(rng, Object.values(validFields(rng)));
      const top = rng() < 0.5;
      const mutated: [string, string][] = top
        ? [...entries, [evil[0], evil[1]]]
        : entries.map(([k, v], j): [string, string] =>
            j === 1 ? [k, `{${JSON.stringify(evil[0])}:${evil[1]}}`] : [k, v],
          );
      // Sometimes first, before "type" itself.
      if (top && rng() < 0.5) mutated.unshift(mutated.pop()!);
      return { data: rawObject(mutated), binary: false };
    },
  },
  {
    kind: 'not-an-object',
    weight: 2,
    make: (rng) => ({
      data: pick(rng, [
        '[]',
        '"post"',
        '1',
        'null',
        'true',
        '-0',
        '1e309',
        '[{"type":"post"}]',
        'NaN',
        'undefined',
      ]),
      binary: false,
    }),
  },
  {
    kind: 'empty',
    weight: 1,
    make: (rng) => {
      const binary = rng() < 0.5;
      return { data: binary ? Buffer.alloc(0) : '', binary };
    },
  },
  { kind: 'binary-json', weight: 2, make: (rng) => ({ data: Buffer.from(validFrame(rng)), binary: true }) },
  {
    kind: 'hello-version',
    weight: 2,
    make: (rng) => {
      const v = pick(rng, ['0', '2', '-1', '1.5', '"1"', '1e308', 'null', '9007199254740993', '[1]']);
      return { data: `{"type":"hello","v":${v},"nick":"Old","key":"${token(rng, 20)}"}`, binary: false };
    },
  },
  {
    kind: 'fetch-bounds',
    weight: 3,
    make: (rng) => {
      const data = pick(rng, [
        '{"type":"fetch","before":5,"after":1}',
        '{"type":"fetch"}',
        '{"type":"fetch","after":0,"limit":0}',
        `{"type":"fetch","after":0,"limit":${LIMITS.pageMax + 1}}`,
        '{"type":"fetch","before":0}',
        '{"type":"fetch","after":-1}',
        '{"type":"fetch","after":-0,"limit":1}',
        '{"type":"fetch","before":9007199254740992}',
        '{"type":"fetch","before":9007199254740991,"limit":200}',
        '{"type":"fetch","after":1e308}',
      ]);
      return { data, binary: false };
    },
  },
  {
    kind: 'json-oddities',
    weight: 2,
    make: (rng) => ({
      data: pick(rng, [
        '{"type":"post","type":"hello","text":"dup","cid":"d1"}',
        '\ufeff{"type":"fetch","after":0}',
        ' \n\t{"type":"fetch","after":0}\n ',
        '{"type":"post","text":"a","cid":"c"} trailing',
        "{'type':'post'}",
        '{"type":"post","text":"a","cid":"c",}',
        '{"type":"post","text":"\\u00","cid":"c"}',
        '{"type":"post","text":"a\u0000b","cid":"c0"}',
        '{"type":"fetch","after":0}{"type":"fetch","after":0}',
      ]),
      binary: false,
    }),
  },
];

const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0xc0, 0xaf]), // overlong "/"
];

const TOTAL_WEIGHT = GENERATORS.reduce((sum, g) => sum + g.weight, 0);

/** The kinds of frame badFrames() yields. */
export const FRAME_KINDS: readonly string[] = GENERATORS.map((g) => g.kind);

/** `count` frames, the same ones every time for the same `seed`. */
export function* badFrames(seed: number, count: number): Generator<BadFrame> {
  const rng = prng(seed);
  for (let n = 0; n < count; n++) {
    let roll = rng() * TOTAL_WEIGHT;
    let generator = GENERATORS[0]!;
    for (const g of GENERATORS) {
      roll -= g.weight;
      if (roll < 0) {
        generator = g;
        break;
      }
    }
    yield { kind: generator.kind, ...generator.make(rng) };
  }
}
