import { describe, expect, it } from 'vitest';
import { allocatePodIP, cidrContains } from '../../src/network/ipam';

describe('allocatePodIP', () => {
  it.each([
    ['10.244.1.0/24', [], '10.244.1.2'],
    ['10.244.1.0/24', ['10.244.1.2', '10.244.1.3'], '10.244.1.4'],
    ['10.244.1.0/24', ['10.244.1.3'], '10.244.1.2'],
    ['10.244.0.0/30', [], '10.244.0.2'],
    ['10.244.0.0/30', ['10.244.0.2'], undefined],
    ['bogus', [], undefined],
  ])('%s minus %j → %s', (cidr, used, want) => {
    expect(allocatePodIP(cidr, used)).toBe(want);
  });

  it('checks containment', () => {
    expect(cidrContains('10.244.3.0/24', '10.244.3.77')).toBe(true);
    expect(cidrContains('10.244.3.0/24', '10.244.4.1')).toBe(false);
  });
});
