/**
 * What the window says when a command fails or a problem arrives: every code the bridge and the
 * protocol define has a sentence in both languages, filled from the error's parameters.
 */
import { describe, expect, it } from 'vitest';
import { translator } from './support/translator';
import { errorText } from '../../src/renderer/src/lib/errors';
import { en } from '../../src/renderer/src/lib/i18n/en';
import { zhCN } from '../../src/renderer/src/lib/i18n/zh-CN';
import { BridgeErrorCode } from '../../src/shared/api';
import { ErrorCode, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { StorageFileSchema, StorageKindSchema, storageReport } from '../../src/shared/storageProblem';

const [english, chinese] = [translator('en'), translator('zh-CN')];

describe('errors in the window', () => {
  it('has a sentence for every bridge and protocol error code in English and Chinese, never the core’s English', () => {
    const params = {
      address: '10.0.0.5:4000',
      detail: 'EADDRINUSE',
      command: 'room:join',
      field: 'roomId',
      pinned: '1234',
      presented: '5678',
      code: '9999',
    };
    const codes = new Set<string>([...Object.values(BridgeErrorCode), ...Object.values(ErrorCode)]);
    for (const code of codes) {
      expect(Object.hasOwn(en, `error.${code}`), `en: error.${code}`).toBe(true);
      expect(Object.hasOwn(zhCN, `error.${code}`), `zh-CN: error.${code}`).toBe(true);
      for (const t of [english, chinese]) {
        const said = errorText({ code, message: 'the core’s English', params }, t);
        expect(said, code).not.toContain('the core’s English');
        expect(said, code).not.toMatch(/\{\{|error\./);
      }
    }
  });

  it('says why hosting failed in plain words when the system says a port is taken or refused', () => {
    const taken = {
      code: 'HOST_FAILED',
      message: 'Could not host the room: listen EADDRINUSE',
      params: { detail: 'listen EADDRINUSE: address already in use :::4000', cause: 'PORT_IN_USE' },
    };
    expect(errorText(taken, english)).toBe(
      'Could not host the room: another program already uses its port. Close it, or host on another port.',
    );
    expect(errorText(taken, chinese)).toBe(
      '无法创建房间：它的端口已被其他程序占用。请关闭该程序，或换一个端口。',
    );
    const other = { code: 'HOST_FAILED', message: 'x', params: { detail: 'disk on fire' } };
    expect(errorText(other, english)).toBe('Could not host the room (technical detail: disk on fire).');
  });

  it('says which side must update when the room speaks another protocol version', () => {
    const newer = {
      code: 'VERSION_MISMATCH',
      message: 'x',
      params: { room: PROTOCOL_VERSION + 1, ours: PROTOCOL_VERSION },
    };
    const older = {
      code: 'VERSION_MISMATCH',
      message: 'x',
      params: { room: PROTOCOL_VERSION - 1, ours: PROTOCOL_VERSION },
    };
    expect(errorText(newer, english)).toContain('Update Parley on this computer');
    expect(errorText(older, english)).toContain('Its host needs to update Parley');
    expect(errorText(newer, chinese)).toBe(
      `这个房间使用 Parley 协议 ${PROTOCOL_VERSION + 1}，而本应用使用协议 ${PROTOCOL_VERSION}。请先更新这台电脑上的 Parley 再加入。`,
    );
  });

  it('names the address nobody answers at, and says a room left the network without one', () => {
    expect(
      errorText({ code: 'NO_SUCH_ROOM', message: 'x', params: { address: '10.0.0.9:4000' } }, english),
    ).toBe('No Parley room answers at 10.0.0.9:4000.');
    expect(errorText({ code: 'NO_SUCH_ROOM', message: 'x' }, chinese)).toBe('这个房间已不在网络上。');
  });

  it('warns of an impostor with the code it shows and the one trusted before', () => {
    expect(
      errorText({ code: 'SUSPECT_ROOM', message: 'x', params: { code: '1111', pinned: '2222' } }, english),
    ).toBe(
      'This may be an impostor: another certificate answers for the same room. This one shows verification code 1111. ' +
        'You trusted 2222. Compare verification codes with the host before joining it.',
    );
  });

  it('says a held-back post will go again, and a failed one why it failed', () => {
    expect(errorText({ code: 'RATE_LIMITED', message: 'x' }, english, true)).toBe(
      'You are sending faster than this room allows; your messages will follow in a moment.',
    );
    expect(errorText({ code: 'TEXT_TOO_LONG', message: 'x' }, chinese)).toBe('消息最多 8000 个字符。');
  });

  it('falls back to the sentence that came with a code it does not know, without Electron’s wrapper', () => {
    expect(errorText({ code: 'FROM_A_NEWER_HOST', message: 'Something new.' }, english)).toBe(
      'Something new.',
    );
    expect(
      errorText(new Error("Error invoking remote method 'parley:send': Error: The disk is full."), english),
    ).toBe('The disk is full.');
  });
});

describe('storage trouble in the window', () => {
  const kinds = StorageKindSchema.options;
  const files = StorageFileSchema.options;

  it('words every kind of trouble with every file in English and Chinese, never the core’s English', () => {
    for (const kind of kinds) {
      for (const file of files) {
        const report = storageReport({
          kind,
          file,
          path: '/data/x.db',
          aside: '/data/x.db.corrupt-1',
          detail: 'ENOSPC',
        });
        for (const t of [english, chinese]) {
          const said = errorText(report, t);
          expect(said, `${kind} ${file}`).not.toBe(report.message);
          expect(said).not.toMatch(/\{\{|storage\./);
          expect(said).toContain('/data/x.db');
        }
      }
    }
  });

  it('says what a damaged trust file costs: rooms joined before are trusted anew', () => {
    const report = storageReport({
      kind: 'damaged',
      file: 'trust',
      path: '/d/trust.db',
      aside: '/d/trust.db.corrupt-1',
    });
    expect(errorText(report, english)).toBe(
      'The file of trusted room certificates (/d/trust.db) could not be read, so Parley kept it aside as /d/trust.db.corrupt-1 and started a fresh one. Rooms joined before will be trusted anew on first contact: compare their verification codes.',
    );
  });
});
