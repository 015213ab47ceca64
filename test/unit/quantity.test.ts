import { describe, expect, it } from 'vitest';
import { isValidQuantity, parseQuantity } from '../../src/machinery/quantity';

describe('parseQuantity', () => {
  const valid: [string, number][] = [
    ['0', 0],
    ['1', 1],
    ['007', 7],
    ['-1', -1],
    ['+1', 1],
    ['0.1', 0.1],
    ['.5', 0.5],
    ['5.', 5],
    ['100m', 0.1],
    ['250m', 0.25],
    ['1500m', 1.5],
    ['500u', 0.0005],
    ['10n', 1e-8],
    ['1k', 1000],
    ['1.5k', 1500],
    ['2M', 2e6],
    ['3G', 3e9],
    ['4T', 4e12],
    ['5P', 5e15],
    ['1E', 1e18],
    ['1Ki', 1024],
    ['128Mi', 134217728],
    ['1Gi', 1073741824],
    ['1.5Gi', 1610612736],
    ['2Ti', 2 * 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['-512Mi', -536870912],
    ['2e3', 2000],
    ['2E3', 2000],
    ['1e-3', 0.001],
    ['1E+3', 1000],
    ['1.5e2', 150],
    ['1.G', 1e9],
    // Odd texts Go's parser accepts as zero.
    ['-', 0],
    ['+', 0],
    ['.', 0],
    ['Ki', 0],
    ['-0', 0],
  ];
  it.each(valid)('%j → %d', (text, want) => {
    expect(parseQuantity(text)).toBeCloseTo(want, 12);
    expect(isValidQuantity(text)).toBe(true);
  });

  const invalid = ['', ' ', ' 1', '1 ', 'abc', '1K', '1Kb', '1 Gi', '1e', '1e1.5', '1Gi1', '1mm', '1.2.3', '--1', '0x10', '1e3m', 'Infinity', 'NaN', '1,000', '1gi', '1kk'];
  it.each(invalid)('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
    expect(isValidQuantity(text)).toBe(false);
  });

  it('gives exact binary values', () => {
    expect(parseQuantity('64Mi')).toBe(67108864);
    expect(parseQuantity('0.5Gi')).toBe(536870912);
  });
});
