import { describe, expect, it } from 'vitest';
import { base64ToUtf8, base64ToUtf8OrEmpty, bytesToBase64, bytesToBase64url, utf8ToBase64 } from '../../src/machinery/base64';
import { compareIPv4, isIPv4 } from '../../src/network/cidr';

describe('base64', () => {
  it.each([
    ['', ''],
    ['a', 'YQ=='],
    ['ab', 'YWI='],
    ['abc', 'YWJj'],
    ['héllo ✓', 'aMOpbGxvIOKckw=='],
  ])('utf8 %j ↔ %s', (text, b64) => {
    expect(utf8ToBase64(text)).toBe(b64);
    expect(base64ToUtf8(b64)).toBe(text);
  });

  it('bytes, standard and url alphabets', () => {
    const b = new Uint8Array([0xfb, 0xff, 0xfe, 0x3e]);
    expect(bytesToBase64(b)).toBe('+//+Pg==');
    expect(bytesToBase64url(b)).toBe('-__-Pg');
    expect(bytesToBase64url(b.buffer)).toBe('-__-Pg');
  });

  it('large inputs (a 1 MiB Secret) do not overflow the stack', () => {
    const big = new Uint8Array(1 << 20).fill(65);
    expect(bytesToBase64(big)).toHaveLength(4 * Math.ceil((1 << 20) / 3));
  });

  it('malformed base64 throws, or reads as empty', () => {
    expect(() => base64ToUtf8('not base64!')).toThrow();
    expect(base64ToUtf8OrEmpty('not base64!')).toBe('');
  });
});

describe('IPv4 literals', () => {
  it.each([
    ['10.0.0.1', true],
    ['255.255.255.255', true],
    ['010.1.1.1', true],
    ['256.1.1.1', false],
    ['10.0.0', false],
    ['web', false],
    ['::1', false],
  ])('isIPv4(%s) = %s', (s, ok) => expect(isIPv4(s)).toBe(ok));

  it('orders numerically, not as text', () => {
    expect(['10.244.1.10', '10.244.1.9', '10.96.0.1'].sort(compareIPv4)).toEqual(['10.96.0.1', '10.244.1.9', '10.244.1.10']);
  });
});
