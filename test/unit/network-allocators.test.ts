import { describe, expect, it } from 'vitest';
import { pickFree } from '../../src/network/allocations';
import { cidrContains, formatCidr, intToIp, ipAt, ipToInt, offsetOf, parseCidr, reservedBand, subBlock, subBlockCount, usableOffsets } from '../../src/network/cidr';
import { firstGap, lowestFree } from '../../src/network/ipam';
import { checkPlan, DEFAULT_NETWORK } from '../../src/network/settings';

describe('CIDR maths', () => {
  it.each([
    ['10.96.0.0/12', '10.96.0.0/12', 1048576],
    ['10.100.3.4/12', '10.96.0.0/12', 1048576],
    ['10.244.0.0/16', '10.244.0.0/16', 65536],
    ['172.18.255.0/24', '172.18.255.0/24', 256],
    ['1.2.3.4/32', '1.2.3.4/32', 1],
  ])('parse %s → %s (%i addresses)', (text, canonical, size) => {
    const c = parseCidr(text)!;
    expect(formatCidr(c)).toBe(canonical);
    expect(c.size).toBe(size);
  });

  it.each(['10.96.0.0', '10.96.0.0/33', '10.96.0/12', '256.1.1.1/8', '01.2.3.4/8', '10.0.0.0/1/2', ''])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it.each([
    ['10.96.0.0/12', '10.96.0.1', true],
    ['10.96.0.0/12', '10.111.255.255', true],
    ['10.96.0.0/12', '10.112.0.0', false],
    ['10.96.0.0/12', '10.0.0.5', false],
    ['10.96.0.0/12', 'bogus', false],
  ])('%s contains %s: %s', (c, ip, want) => {
    expect(cidrContains(c, ip)).toBe(want);
  });

  it('addresses and offsets', () => {
    const c = parseCidr('10.96.0.0/12')!;
    expect(ipAt(c, 1)).toBe('10.96.0.1');
    expect(ipAt(c, 256)).toBe('10.96.1.0');
    expect(offsetOf(c, '10.96.1.0')).toBe(256);
    expect(offsetOf(c, '10.0.0.1')).toBeUndefined();
    expect(intToIp(ipToInt('192.168.1.77')!)).toBe('192.168.1.77');
    expect(usableOffsets(c)).toEqual({ first: 1, end: 1048575 });
    expect(usableOffsets(parseCidr('10.0.0.0/31')!)).toEqual({ first: 0, end: 2 });
  });

  it.each([
    [8, 0], // too small for a band
    [16, 16],
    [256, 16],
    [2768, 173], // the NodePort range 30000-32767
    [4096, 256],
    [1048576, 256], // a /12
  ])('reserved static band of %i addresses: %i', (size, band) => {
    expect(reservedBand(size)).toBe(band);
  });

  it('sub-blocks of the pod CIDR', () => {
    const pool = parseCidr('10.244.0.0/16')!;
    expect(subBlockCount(pool, 26)).toBe(1024);
    expect(formatCidr(subBlock(pool, 26, 0))).toBe('10.244.0.0/26');
    expect(formatCidr(subBlock(pool, 26, 5))).toBe('10.244.1.64/26');
    expect(subBlockCount(parseCidr('10.0.0.0/27')!, 26)).toBe(0);
  });

  it('checks a network plan', () => {
    expect(checkPlan(DEFAULT_NETWORK).service.bits).toBe(12);
    expect(() => checkPlan({ ...DEFAULT_NETWORK, podCIDR: '10.244.0.0/28' })).toThrow(/podCIDR/);
    expect(() => checkPlan({ ...DEFAULT_NETWORK, serviceCIDR: 'nope' })).toThrow(/serviceCIDR/);
  });
});

describe('pickFree', () => {
  const fixed = (n: number) => () => n;
  it.each([
    // first, end, band, taken, random start → offset
    [1, 100, 16, [], 0, 17],
    [1, 100, 16, [], 5, 22],
    [1, 100, 16, [22, 23], 5, 24],
    [1, 100, 16, [], 82, 99], // the last of the upper part
    [1, 20, 16, [17, 18, 19], 0, 1], // upper part full: the static band
    [1, 20, 16, [1, 2, 17, 18, 19], 0, 3],
    [1, 5, 16, [], 0, 1], // band wider than the range: all of it is the "lower" part
  ])('[%i,%i) band %i taken %j start %i → %i', (first, end, band, taken, start, want) => {
    const set = new Set(taken as number[]);
    expect(pickFree(first, end, band, (o) => set.has(o), fixed(start))).toBe(want);
  });

  it('is undefined when everything is taken', () => {
    expect(pickFree(1, 4, 2, () => true)).toBeUndefined();
  });

  it('spreads over the upper part with real randomness', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(pickFree(1, 1000, 64, () => false)!);
    for (const o of seen) expect(o >= 65 && o < 1000).toBe(true);
    expect(seen.size).toBeGreaterThan(100);
  });
});

describe('IPAM helpers', () => {
  it.each([
    [64, [], 0],
    [64, [0, 1, 2], 3],
    [64, [0, 2], 1],
    [4, [0, 1, 2, 3], undefined],
  ])('lowestFree(%i, %j) = %s', (size, used, want) => {
    expect(lowestFree(size, used)).toBe(want);
  });

  it.each([
    [[], 1024, 0],
    [[0, 1, 2], 1024, 3],
    [[0, 2, 3], 1024, 1],
    [[1, 2], 1024, 0],
    [[0, 1], 2, undefined],
  ])('firstGap(%j, %i) = %s', (claimed, count, want) => {
    expect(firstGap(claimed, count)).toBe(want);
  });
});
