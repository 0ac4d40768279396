import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import type { EventPayload } from '../src/shared/api';
import { createLan, requireNetnsOrSkip, type Lan } from '../test/lan/netns';
import type { AgentClient } from '../test/support/AgentClient';
import { startAgent, type RunningAgent } from '../test/support/agents';
import { openWindow, pageErrors } from './support/bindPage';
import {
  messagePayloads,
  nicknamePayloads,
  refusedMessageTexts,
  refusedNicknames,
  refusedRoomNames,
  roomNamePayloads,
  type Payload,
} from './support/xssCorpus';

const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');

/**
 * Installed before the app's own code runs: the hooks a payload would trip, and watchers that
 * record what a successful injection would leave behind even if it were removed again.
 */
function installTripwires(): void {
  type Watch = {
    __xss(n: number): void;
    __xssHits?: number[];
    __cspViolations: string[];
    __injected: string[];
  };
  const w = window as unknown as Watch;
  w.__xss = (n) => (w.__xssHits ||= []).push(n);
  w.__cspViolations = [];
  w.__injected = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sample})`),
  );
  // Elements the window never renders in its body; the head's own tags are checked at the end.
  const foreign = new Set([
    'script',
    'iframe',
    'frame',
    'frameset',
    'img',
    'svg',
    'math',
    'object',
    'embed',
    'meta',
    'base',
    'link',
    'style',
    'video',
    'audio',
    'source',
    'template',
    'details',
    'marquee',
    'isindex',
    'noscript',
    'x',
    'a',
    'b',
  ]);
  // The one <a> the window renders itself: a web link in a message's text (MessageItem), with
  // exactly these attributes and nothing inside but text. Any other <a> is an injection.
  const ownLink = (el: Element) =>
    el.localName === 'a' &&
    el.parentElement?.matches('p.text') === true &&
    el.getAttributeNames().sort().join(' ') === 'href rel target title' &&
    /^https?:\/\//.test(el.getAttribute('href')!) &&
    el.getAttribute('title') === el.getAttribute('href') &&
    el.getAttribute('target') === '_blank' &&
    el.getAttribute('rel') === 'noopener noreferrer' &&
    el.children.length === 0;
  (w as unknown as { __ownLink: typeof ownLink }).__ownLink = ownLink;
  const inspect = (el: Element) => {
    const why: string[] = [];
    if (el.id.startsWith('xss-')) why.push(`id ${el.id}`);
    if (foreign.has(el.localName) && el.closest('body') && !ownLink(el))
      why.push(`<${el.localName}> in the body`);
    for (const name of el.getAttributeNames()) {
      if (name.toLowerCase().startsWith('on')) why.push(`attribute ${name}`);
    }
    if (why.length > 0) w.__injected.push(`${el.localName}: ${why.join(', ')}`);
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes' && record.target instanceof Element) inspect(record.target);
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue;
        inspect(node);
        node.querySelectorAll('*').forEach(inspect);
      }
    }
  }).observe(document, { childList: true, subtree: true, attributes: true });
}

/** What the tripwires saw, plus a scan of the document as it is now. */
function evidence(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as { __xssHits?: number[]; __cspViolations: string[]; __injected: string[] };
    return {
      hits: w.__xssHits ?? [],
      csp: w.__cspViolations,
      injected: w.__injected,
      xssIds: [...document.querySelectorAll('[id^="xss-"]')].map((el) => el.id),
      head: [...document.head.children].map((el) => el.localName),
    };
  });
}

/**
 * The tags inside the places that show other people's words, outside the app's own vocabulary:
 * the log, the room list, the header, the member list and the conversation tabs.
 */
function foreignTagsInDataViews(page: Page) {
  return page.evaluate(() => {
    const own = new Set(['li', 'span', 'p', 'div', 'time', 'button', 'h1', 'h2', 'ul', 'ol', 'nav']);
    const views = document.querySelectorAll(
      '[role="log"], [aria-label="Rooms on your network"], header.header, [aria-label="Members"], [role="tablist"]',
    );
    // A web link in a message's text, as MessageItem renders it (installTripwires defines it).
    const { __ownLink: ownLink } = window as unknown as { __ownLink(el: Element): boolean };
    // The header's own control (the room's notification level): a select of fixed options.
    const ownControl = (el: Element) => el.closest('select[data-control="notify-level"]') !== null;
    const found = new Set<string>();
    for (const view of views)
      for (const el of view.querySelectorAll('*'))
        if (!own.has(el.localName) && !ownLink(el) && !ownControl(el)) found.add(el.localName);
    return [...found];
  });
}

/** The exact text of every element `selector` matches within `scope` (no whitespace folding). */
const texts = (scope: Page | Locator, selector: string) =>
  scope.locator(selector).evaluateAll((els) => els.map((el) => el.textContent ?? ''));

/**
 * Posts `text` and waits for the host to store it. The host allows a burst of posts and then a
 * few a second; a post it refuses as RATE_LIMITED is sent again once the bucket has refilled.
 */
async function post(agent: AgentClient, text: string, to?: string): Promise<void> {
  for (;;) {
    const roomId = agent.roomId;
    const { cid } = await agent.send('chat:send', to === undefined ? { roomId, text } : { roomId, text, to });
    const outcome = await new Promise<string>((done) => {
      const check = () => {
        if (agent.acked.has(cid)) finish('sent');
      };
      const onProblem = (p: EventPayload<'problem'>) => {
        if (p.cid === cid) finish(p.code);
      };
      const finish = (result: string) => {
        agent.off('sent', check);
        agent.off('problem', onProblem);
        done(result);
      };
      agent.on('sent', check);
      agent.on('problem', onProblem);
      check();
    });
    if (outcome === 'sent') return;
    if (outcome !== 'RATE_LIMITED') throw new Error(`post refused with ${outcome}: ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 400)); // the host's limit is in posts per second
  }
}

test.describe('a hostile LAN cannot run script in the window', () => {
  let lan: Lan;
  let bob: RunningAgent;
  let mallory: RunningAgent;
  let hosts: RunningAgent[];

  test.beforeAll(async () => {
    test.skip(!requireNetnsOrSkip(), 'needs root to create network namespaces (ip netns)');
    lan = await createLan(['bob', 'mallory', 'alice', 'carol', 'dave']);
    const agents = await Promise.all([
      startAgent(lan, 'bob', 'Bob'),
      startAgent(lan, 'mallory', 'Mallory'),
      startAgent(lan, 'alice', 'Alice'),
      startAgent(lan, 'carol', 'Carol'),
      startAgent(lan, 'dave', 'Dave'),
    ]);
    [bob, mallory, ...hosts] = agents;
  });

  test.afterAll(async () => {
    await Promise.all([bob, mallory, ...(hosts ?? [])].map((a) => a?.dispose()));
    await lan?.destroy();
  });

  test('payloads in messages, nicknames and room names render as text and run nothing', async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    mkdirSync(ARTIFACTS, { recursive: true });
    const [bobNick, ...malloryNicks] = nicknamePayloads as [Payload, ...Payload[]];

    await test.step('the bridge refuses names that are too long or carry control characters', async () => {
      for (const nickname of refusedNicknames) {
        const reply = await bob.client.raw('settings:update', { nickname });
        expect(reply, JSON.stringify(nickname)).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
      }
      for (const name of refusedRoomNames) {
        const reply = await hosts[0]!.client.raw('room:host', { name });
        expect(reply, JSON.stringify(name)).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
      }
      for (const text of refusedMessageTexts) {
        const reply = await bob.client.raw('chat:send', { text });
        expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
      }
      expect((await bob.client.send('app:snapshot', {})).settings.nickname).toBe('Bob');
      // Every payload of the corpus fits the limits: the ones above are the only refusals.
      await expect(bob.client.send('settings:update', { nickname: bobNick.text })).resolves.toMatchObject({
        nickname: bobNick.text,
      });
    });

    const page = await openWindow(browser, bob.client, (p) => p.addInitScript(installTripwires));
    await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByLabel('Your nickname')).toHaveValue(bobNick.text);
    await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'All rooms' }).click();
    const lobby = page.getByRole('list', { name: 'Rooms on your network' });

    let room: { id: string; name: string } | undefined;
    await test.step('room names announced over mDNS show as text in the lobby', async () => {
      for (let i = 0; i < roomNamePayloads.length; i += hosts.length) {
        const batch = roomNamePayloads.slice(i, i + hosts.length);
        const hosted = await Promise.all(
          batch.map((p, k) => hosts[k]!.client.send('room:host', { name: p.text })),
        );
        room = hosted[0];
        await expect
          .poll(() => texts(lobby, '.name'), { timeout: 30_000 })
          .toEqual(expect.arrayContaining(batch.map((p) => p.text)));
      }
      expect(await foreignTagsInDataViews(page)).toEqual([]);
      await page.screenshot({ path: `${ARTIFACTS}/xss-lobby.png` });
    });

    await test.step('Bob joins a room with a hostile name: the header and title show it as text', async () => {
      const { id, name } = room!;
      await mallory.client.waitFor('lobby', ({ rooms }) => rooms.some((r) => r.id === id), 30_000);
      await bob.client.send('room:join', { roomId: id });
      await mallory.client.send('room:join', { roomId: id });
      await expect(page.getByRole('status')).toContainText('Online');
      await expect.poll(() => page.locator('header h1').textContent()).toBe(name);
      await expect.poll(() => page.title()).toBe(`${name} — Parley`);
      // The hosting agent is in its own room too: host, Bob and Mallory. (Bob and Mallory join
      // at once, so Bob's welcome may already count Mallory; only the final count is certain.)
      await bob.client.waitForMembers(3);
    });

    const log = page.getByRole('log', { name: 'Messages' });
    await test.step('every message payload, to everyone, shows verbatim', async () => {
      for (const p of messagePayloads) await post(mallory.client, p.text);
      await expect
        .poll(() => texts(log, 'li.message .text'), { timeout: 30_000 })
        .toEqual(expect.arrayContaining(messagePayloads.map((p) => p.text)));
      for (const n of [1, 3, 9, 16, 22, 33, 34, 47]) {
        const text = messagePayloads.find((p) => p.n === n)!.text;
        await expect(log.getByText(text, { exact: true })).toBeVisible();
      }
    });

    await test.step('private messages carrying payloads show verbatim in their own tab', async () => {
      const bobId = (await bob.client.sessionIn())!.me!.id;
      const secret = messagePayloads.filter((p) => p.n % 5 === 0);
      for (const p of secret) await post(mallory.client, p.text, bobId);
      await page
        .getByRole('tablist', { name: 'Conversations' })
        .getByRole('tab', { name: /Mallory/ })
        .click();
      await expect
        .poll(() => texts(log, 'li.message .text'), { timeout: 30_000 })
        .toEqual(secret.map((p) => p.text));
      expect(await foreignTagsInDataViews(page)).toEqual([]);
      await page.getByRole('tab', { name: /Everyone/ }).click();
    });

    await test.step('hostile nicknames show as text in messages, notices and the member list', async () => {
      const roomId = room!.id;
      for (const p of malloryNicks) {
        await mallory.client.send('room:leave', { roomId });
        await mallory.client.send('settings:update', { nickname: p.text });
        await mallory.client.send('room:join', { roomId });
        await bob.client.waitFor(
          'presence',
          // A leave and a rejoin may come coalesced: the rejoin under the new name is what counts.
          (e) => e.joined.some((m) => m.nick === p.text),
          20_000,
          `Mallory to rejoin as ${p.text}`,
        );
        await post(mallory.client, `said by nickname ${p.n}`);
      }
      await expect
        .poll(() => texts(log, 'li.message .nick'), { timeout: 30_000 })
        .toEqual(expect.arrayContaining(malloryNicks.map((p) => p.text)));
      const last = malloryNicks.at(-1)!.text;
      await expect
        .poll(() => texts(page.getByRole('list', { name: 'Members' }), '.nick'))
        .toEqual(expect.arrayContaining([last, `${bobNick.text} (me)`]));
      await expect(log).toContainText(`${last} joined`);
      // The nickname lands in an aria-label and a placeholder too: attributes, as plain text.
      await page.getByRole('button', { name: `Message ${last} privately`, exact: true }).click();
      await expect(page.getByRole('textbox', { name: `Message ${last}`, exact: true })).toBeVisible();
      await page.getByRole('tab', { name: /Everyone/ }).click();
    });

    await test.step('what Bob types himself is sent and shown as text too', async () => {
      const composer = page.getByRole('textbox', { name: 'Message', exact: true });
      for (const n of [2, 15, 22, 59, 60]) {
        const text = messagePayloads.find((p) => p.n === n)!.text;
        await composer.fill(text);
        await composer.press('Enter');
        const mine = log.locator('li.message[data-state="sent"] .text').filter({ hasText: `__xss(${n})` });
        await expect(mine).toHaveCount(1);
        // A textarea turns CR LF into LF (HTML's value normalisation); nothing else changes.
        expect(await mine.textContent()).toBe(text.replace(/\r\n/g, '\n'));
      }
    });

    await test.step('nothing ran, nothing was injected, nothing was blocked, nothing was logged', async () => {
      const seen = await evidence(page);
      expect(seen.hits, 'payloads that ran').toEqual([]);
      expect(seen.xssIds, 'elements a payload created').toEqual([]);
      expect(seen.injected, 'elements or handlers that appeared').toEqual([]);
      expect(seen.csp, 'CSP violations (an injection the policy had to stop)').toEqual([]);
      expect(seen.head).toEqual(['meta', 'meta', 'meta', 'meta', 'title', 'script', 'link']);
      expect(await foreignTagsInDataViews(page)).toEqual([]);
      expect(pageErrors(page)).toEqual([]);
      await page.screenshot({ path: `${ARTIFACTS}/xss.png` });
    });

    await test.step('the tripwires work: an element made by script is caught', async () => {
      await page.evaluate(() => {
        const el = document.createElement('b');
        el.id = 'xss-canary';
        el.setAttribute('onclick', '__xss(0)');
        document.body.append(el);
        el.click();
      });
      const seen = await evidence(page);
      expect(seen.xssIds).toEqual(['xss-canary']);
      expect(seen.injected.join('\n')).toContain('id xss-canary');
      expect(seen.injected.join('\n')).toContain('attribute onclick');
      // The page's CSP stops the inline handler, and says so.
      expect(seen.hits).toEqual([]);
      expect(seen.csp.join('\n')).toContain('script-src');
    });
  });
});
