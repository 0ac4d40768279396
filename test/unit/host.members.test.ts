import { describe, expect, it } from 'vitest';
import { Members } from '../../src/core/host/Members';

describe('Members', () => {
  it('seats members under their own ids, listed in join order', () => {
    const members = new Members();
    members.join('id-a', 'Alice');
    members.join('id-b', 'Bob');
    expect(members.list()).toEqual([
      { id: 'id-a', nick: 'Alice' },
      { id: 'id-b', nick: 'Bob' },
    ]);
    expect(members.get('id-b')).toEqual({ id: 'id-b', nick: 'Bob' });
    expect(members.count).toBe(2);
  });

  it('numbers a nickname someone online already has, and frees it when they leave', () => {
    const members = new Members();
    members.join('id-a', 'Alice');
    expect(members.join('id-b', 'alice').nick).toBe('alice (2)');
    members.leave('id-a');
    expect(members.join('id-c', 'Alice').nick).toBe('Alice');
    expect(members.count).toBe(2);
  });

  it('gives a member that comes back its nickname again if it is free', () => {
    const members = new Members();
    members.join('id-a', 'Alice');
    members.leave('id-a');
    expect(members.join('id-a', 'Alice')).toEqual({ id: 'id-a', nick: 'Alice' });
  });

  it('ignores leaving twice', () => {
    const members = new Members();
    members.join('id-a', 'Alice');
    members.leave('id-a');
    members.leave('id-a');
    expect(members.count).toBe(0);
  });
});
