import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../src/shared/api';
import { asPlainText, NotificationShelf, type ShellNotification } from '../../src/main/notifications';
import { notificationLocale, notificationWords } from '../../src/main/notificationWords';

const MESSAGE: NotificationRequest = {
  kind: 'message',
  roomId: 'office',
  roomName: 'Office',
  conversation: '',
  seq: 7,
  from: 'Alice',
  private: false,
  mention: false,
  preview: '<b>Lunch</b> at noon?',
};
const PRIVATE: NotificationRequest = { ...MESSAGE, conversation: 'alice-id', private: true, preview: 'psst' };

class Fake extends EventEmitter implements ShellNotification {
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show(): void {
    this.shown = true;
  }
}

function shelf(supported = true, platform: NodeJS.Platform = 'win32') {
  const made: Fake[] = [];
  const opened: NotificationRequest[] = [];
  const flashed: NotificationRequest[] = [];
  const notifications = new NotificationShelf({
    make: (options) => {
      const n = new Fake(options);
      made.push(n);
      return n;
    },
    platform,
    supported: () => supported,
    words: (request) => notificationWords(request, 'en'),
    open: (request) => opened.push(request),
    personal: (request) => flashed.push(request),
  });
  return { notifications, made, opened, flashed };
}

describe('the shell’s notifications', () => {
  it('shows the sender and room as the title and the preview as plain text, held until clicked', () => {
    const { notifications, made, opened } = shelf();
    notifications.show(MESSAGE);
    expect(made).toHaveLength(1);
    expect(made[0]!.options).toEqual({ title: 'Alice · Office', body: '<b>Lunch</b> at noon?' });
    expect(made[0]!.shown).toBe(true);
    // Held: a collected notification's click would go nowhere (electron#16922).
    expect(notifications.size).toBe(1);
    made[0]!.emit('click');
    expect(opened).toEqual([MESSAGE]);
    expect(notifications.size).toBe(0);
  });

  it('lets go of a notification once it is closed or fails', () => {
    const { notifications, made } = shelf();
    notifications.show(MESSAGE);
    notifications.show(PRIVATE);
    made[0]!.emit('close');
    made[1]!.emit('failed');
    expect(notifications.size).toBe(0);
  });

  it('flashes for private messages and mentions, not for room chatter', () => {
    const { notifications, flashed } = shelf();
    notifications.show(MESSAGE);
    notifications.show(PRIVATE);
    notifications.show({ ...MESSAGE, mention: true });
    expect(flashed.map((r) => r.kind === 'message' && [r.private, r.mention])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it('still asks for attention where the system shows no notifications, and makes none', () => {
    const { notifications, made, flashed } = shelf(false);
    notifications.show(PRIVATE);
    expect(made).toEqual([]);
    expect(flashed).toHaveLength(1);
  });

  it('escapes markup on Linux, where notification daemons would render it, so a message shows as typed', () => {
    const { notifications, made } = shelf(true, 'linux');
    notifications.show({
      ...MESSAGE,
      from: 'Eve <img src=http://x/>',
      preview: '<a href="http://x">hi</a> & bye',
    });
    expect(made[0]!.options).toEqual({
      title: 'Eve &lt;img src=http://x/&gt; · Office',
      body: '&lt;a href=&quot;http://x&quot;&gt;hi&lt;/a&gt; &amp; bye',
    });
    expect(asPlainText('<b>x</b>', 'darwin')).toBe('<b>x</b>');
  });

  it('words a summary and a private message in English and Chinese', () => {
    const summary: NotificationRequest = {
      kind: 'summary',
      roomId: 'office',
      roomName: 'Office',
      count: 12,
      personal: true,
      conversation: '',
      seq: 40,
    };
    expect(notificationWords(summary, 'en')).toEqual({
      title: 'Office',
      body: '12 new messages, some for you',
    });
    expect(notificationWords({ ...summary, personal: false }, 'zh-CN')).toEqual({
      title: 'Office',
      body: '12 条新消息',
    });
    expect(notificationWords(PRIVATE, 'zh-CN').title).toBe('Alice（私聊）· Office');
    expect(notificationWords(PRIVATE, 'en').title).toBe('Alice (private) · Office');
  });

  it('words in the chosen language, else the system’s', () => {
    expect(notificationLocale('en', 'zh-CN')).toBe('en');
    expect(notificationLocale(null, 'zh-TW')).toBe('zh-CN');
    expect(notificationLocale(null, 'de-DE')).toBe('en');
  });
});
