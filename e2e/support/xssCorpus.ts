/**
 * XSS payloads for e2e/xss.spec.ts, after the OWASP XSS Filter Evasion Cheat Sheet and the usual
 * mutation-XSS and template-injection vectors. Every payload has an observable effect if the
 * window ever treats it as markup or code: it calls `window.__xss(n)`, or creates an element
 * with id `xss-<n>`, where `n` is the payload's number. A text-only window shows each one
 * verbatim and nothing happens.
 *
 * Numbers: messages 1-99, nicknames 100-199, room names 200-299, so a hit names its source.
 */
import { LIMITS } from '../../src/shared/constants';

/** One payload: its number (the effect it would have) and the exact text to send. */
export interface Payload {
  n: number;
  text: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Message texts: anything up to LIMITS.maxTextChars, control characters allowed. */
const messageTemplates: ((n: number) => string)[] = [
  (n) => `<script>__xss(${n})</script>`,
  (n) => `<SCRIPT SRC=data:text/javascript,__xss(${n})></SCRIPT>`,
  (n) => `<img src=x onerror=__xss(${n})>`,
  (n) => `<IMG SRC=x OnErRoR=__xss(${n})>`,
  (n) => `<img id=xss-${n} src=x>`,
  (n) => `<img src=x onerror=&#95;&#95;xss&#40;${n}&#41;>`,
  (n) => `<img src=x onerror="&#x5f;&#x5f;xss&#x28;${n}&#x29;">`,
  (n) => `<img src=x onerror=\\u005f\\u005fxss(${n})>`,
  (n) => `<svg onload=__xss(${n})>`,
  (n) => `<svg/onload=__xss(${n})//`,
  (n) => `<svg><script>__xss(${n})</script></svg>`,
  (n) => `<svg><animate onbegin=__xss(${n}) attributeName=x dur=1s>`,
  (n) => `<iframe srcdoc="<script>parent.__xss(${n})</script>"></iframe>`,
  (n) => `<iframe id=xss-${n} src="javascript:parent.__xss(${n})"></iframe>`,
  (n) => `<body onload=__xss(${n})>`,
  (n) => `<a id=xss-${n} href="javascript:__xss(${n})">click me</a>`,
  (n) => `<a href="jav&#x09;ascript:__xss(${n})" id=xss-${n}>tab-split scheme</a>`,
  (n) => `<a href=" &#14;  javascript:__xss(${n})" id=xss-${n}>leading junk</a>`,
  (n) => `"><script>__xss(${n})</script>`,
  (n) => `'><img src=x onerror=__xss(${n})>`,
  (n) => `</p></li></ol><img id=xss-${n} src=x onerror=__xss(${n})>`,
  (n) => `<math><mtext><table><mglyph><style><img src=x onerror=__xss(${n})>`,
  (n) => `<noscript><p title="</noscript><img src=x onerror=__xss(${n})>">`,
  (n) => `<!--<img src="--><img src=x onerror=__xss(${n})//">`,
  (n) => `<![CDATA[<script>__xss(${n})</script>]]>`,
  (n) => `<template><img src=x onerror=__xss(${n})></template>`,
  (n) => `<details open ontoggle=__xss(${n})>`,
  (n) => `<input autofocus onfocus=__xss(${n})>`,
  (n) => `<video><source onerror=__xss(${n})></video>`,
  (n) => `<marquee onstart=__xss(${n})>`,
  (n) => `<x id=xss-${n} onmouseover=__xss(${n})>hover</x>`,
  (n) => '`${__xss(' + n + ')}`',
  (n) => '${__xss(' + n + ')}',
  (n) => `{@html '<img src=x onerror=__xss(${n})>'}`,
  (n) => `{__xss(${n})}`,
  (n) => `{{constructor.constructor('__xss(${n})')()}}`,
  (n) => `$t(app.name) {{nick}} {{- host}} __xss(${n})`,
  (n) => `<div id=xss-${n} style="background:url(javascript:__xss(${n}))">`,
  (n) => `<div style="width: expression(__xss(${n}))">`,
  (n) => `<style>@import 'javascript:__xss(${n})';</style>`,
  (n) => `<link rel=stylesheet href="javascript:__xss(${n})">`,
  (n) => `<object data="data:text/html,<script>parent.__xss(${n})</script>"></object>`,
  (n) => `<embed src="data:text/html;base64,${b64(`<script>parent.__xss(${n})</script>`)}">`,
  (n) => `data:text/html;base64,${b64(`<script>parent.__xss(${n})</script>`)}`,
  (n) => `javascript:__xss(${n})`,
  (n) => `https://example.com/"><img src=x onerror=__xss(${n})>`,
  (n) => `<meta http-equiv="refresh" content="0;url=javascript:__xss(${n})">`,
  (n) => `<base href="javascript:__xss(${n})//">`,
  (n) => `<form id=xss-${n} action="javascript:__xss(${n})"><button>go</button></form>`,
  (n) => `<isindex action=javascript:__xss(${n}) type=image>`,
  (n) => `&lt;script&gt;__xss(${n})&lt;/script&gt;`,
  (n) => `%3Cscript%3E__xss(${n})%3C%2Fscript%3E`,
  (n) => `\\x3cscript\\x3e__xss(${n})\\x3c/script\\x3e`,
  (n) => `\uFF1Cscript\uFF1E__xss(${n})\uFF1C/script\uFF1E`,
  (n) => `<scr\u0000ipt>__xss(${n})</scr\u0000ipt>`,
  (n) => `<img src=x\u0000 onerror=__xss(${n})>\u0000`,
  (n) => `\u202E<img src=x onerror=__xss(${n})>\u202C`,
  (n) => `\u2066<b id=xss-${n}>isolate</b>\u2069 \u200B\uFEFF`,
  (n) => `line one\n<script>__xss(${n})</script>\r\n\tline three`,
  (n) =>
    `jaVasCript:/*-/*\`/*\\\`/*'/*"/**/(/* */oNcliCk=__xss(${n}) )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=__xss(${n})//>\\x3e`,
  // As long as a message may be: a wall of handlers, cut to the limit exactly.
  (n) => `<img src=x onerror=__xss(${n})>`.repeat(400).slice(0, LIMITS.maxTextChars),
];

/** Nicknames: 1-32 characters after trimming, no control characters (NickSchema). */
const nicknameTemplates: ((n: number) => string)[] = [
  (n) => `<img src=x onerror=__xss(${n})>`,
  (n) => `<svg onload=__xss(${n})>`,
  (n) => `<script>__xss(${n})</script>`,
  (n) => `"><b id=xss-${n}>`,
  (n) => `{@html "<b id=xss-${n}>"}`,
  (n) => '${__xss(' + n + ')}',
  (n) => `{{host}}$t(app.name)__xss(${n})`,
  (n) => `<body onload=__xss(${n})>`,
  (n) => `&lt;b id=xss-${n}&gt;`,
  (n) => `<a href=javascript:__xss(${n})>`,
];

/** Room names: 1-64 characters after trimming, no control characters (RoomNameSchema). */
const roomTemplates: ((n: number) => string)[] = [
  (n) => `<img src=x onerror=__xss(${n})>`,
  (n) => `<svg/onload=__xss(${n})>`,
  (n) => `"><script>__xss(${n})</script>`,
  (n) => `<iframe srcdoc="<script>parent.__xss(${n})</script>">`,
  (n) => `<math><mtext><table><mglyph><style><img src onerror=__xss(${n})>`,
  (n) => `javascript:__xss(${n})`,
  (n) => `<meta http-equiv=refresh content="0;url=javascript:__xss(${n})">`,
  (n) => `<base href=javascript:__xss(${n})//><form id=xss-${n}>`,
  (n) => `{@html "<b id=xss-${n}>"} \${__xss(${n})}`,
  (n) => `<details open ontoggle=__xss(${n})> {{name}}`,
  (n) => `&lt;b id=xss-${n}&gt; &amp; <object data=x>`,
  (n) => `<a href="javascript:__xss(${n})">x</a>`,
];

const numbered = (templates: ((n: number) => string)[], first: number): Payload[] =>
  templates.map((make, i) => ({ n: first + i, text: make(first + i) }));

export const messagePayloads: Payload[] = numbered(messageTemplates, 1);
export const nicknamePayloads: Payload[] = numbered(nicknameTemplates, 100);
export const roomNamePayloads: Payload[] = numbered(roomTemplates, 200);

/** Values the bridge must refuse with BAD_PAYLOAD: too long, or with control characters. */
export const refusedNicknames: string[] = [
  'x'.repeat(LIMITS.maxNickChars + 1),
  `<img src=x onerror=__xss(190)>${'x'.repeat(10)}`,
  'nul\u0000byte',
  'new\nline',
  'esc\u001b[31m',
  'next\u0085line',
  'del\u007f',
  ' \t ',
  // Invisible and direction-changing characters would let one name pass for another.
  '\u202E<b id=xss-191>',
  'zero\u200Bwidth',
  'iso\u2066late\u2069',
];
export const refusedRoomNames: string[] = [
  'r'.repeat(LIMITS.maxRoomNameChars + 1),
  'room\u0000name',
  'room\r\nname',
  'c1\u009bcontrol',
  '\u202E<b id=xss-291>\u202C {{name}}',
  'bom\uFEFFroom',
];
export const refusedMessageTexts: string[] = ['m'.repeat(LIMITS.maxTextChars + 1), '   \n\t  '];
