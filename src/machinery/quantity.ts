// resource.Quantity parsing (k8s.io/apimachinery/pkg/api/resource ParseQuantity), as plain JS numbers.
//
//   <quantity> ::= <signedNumber><suffix>
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E | (e|E)<signedInt>

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = 'eEinumkKMGTP';

interface Parsed {
  negative: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** parseQuantityString: sign, digits, optional fraction, suffix; undefined when the text is malformed. */
function split(str: string): Parsed | undefined {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-') {
    negative = true;
    pos++;
  } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { negative, num: '0', denom: '', suffix: '' };
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  const num = str.slice(pos, i) || '0';
  pos = i;
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos])) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return undefined;
  return { negative, num, denom, suffix: str.slice(suffixStart) };
}

/**
 * The quantity's value in base units (cores, bytes, ...) as a JS number, or undefined when Kubernetes would
 * reject it. `100m` → 0.1, `1Gi` → 1073741824, `1.5k` → 1500, `2e3` → 2000.
 */
export function parseQuantity(s: string): number | undefined {
  if (typeof s !== 'string' || s.length === 0) return undefined;
  const p = split(s);
  if (!p) return undefined;
  const mantissa = `${p.num}${p.denom ? `.${p.denom}` : ''}`;
  let value: number;
  if (p.suffix in DECIMAL_SUFFIXES) {
    value = Number(`${mantissa}e${DECIMAL_SUFFIXES[p.suffix]}`);
  } else if (p.suffix in BINARY_SUFFIXES) {
    value = Number(mantissa) * 2 ** BINARY_SUFFIXES[p.suffix];
  } else if (p.suffix.length > 1 && (p.suffix[0] === 'e' || p.suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(p.suffix.slice(1))) {
    const exp = Number(p.suffix.slice(1));
    if (!Number.isSafeInteger(exp)) return undefined;
    value = Number(`${mantissa}e${exp}`);
  } else {
    return undefined;
  }
  if (Number.isNaN(value)) return undefined;
  return p.negative && value !== 0 ? -value : value;
}

/** True when resource.ParseQuantity accepts the text. */
export function isValidQuantity(s: string): boolean {
  return parseQuantity(s) !== undefined;
}

// ---- exact quantities: arithmetic and canonical text (resource.Quantity's Add/Cmp/String) ----

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A quantity exactly, in nano units (Kubernetes rounds anything finer up to 1n), with its format. */
export interface Quantity {
  nanos: bigint;
  format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const pow10 = (n: number) => 10n ** BigInt(n);
/** Division rounding away from zero (ParseQuantity rounds sub-nano precision up). */
const divCeil = (a: bigint, b: bigint) => (a % b === 0n ? a / b : a / b + (a > 0n ? 1n : -1n));

/** resource.ParseQuantity exactly; undefined when the text is malformed. */
export function parseExact(text: unknown): Quantity | undefined {
  const s = typeof text === 'number' ? String(text) : text;
  if (typeof s !== 'string' || s.length === 0) return undefined;
  const p = split(s);
  if (!p) return undefined;
  let nanos = BigInt(`${p.num}${p.denom}`);
  let format: QuantityFormat = 'DecimalSI';
  const scale = 9 - p.denom.length;
  if (p.suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    nanos = divCeil(nanos * 2n ** BigInt(BINARY_SUFFIXES[p.suffix]) * (scale >= 0 ? pow10(scale) : 1n), scale >= 0 ? 1n : pow10(-scale));
  } else {
    let exp: number;
    if (p.suffix in DECIMAL_SUFFIXES) exp = DECIMAL_SUFFIXES[p.suffix];
    else if (/^[eE][+-]?[0-9]+$/.test(p.suffix)) {
      exp = Number(p.suffix.slice(1));
      format = 'DecimalExponent';
    } else return undefined;
    const shift = scale + exp;
    nanos = shift >= 0 ? nanos * pow10(shift) : divCeil(nanos, pow10(-shift));
  }
  return { nanos: p.negative ? -nanos : nanos, format };
}

export const zeroQuantity = (format: QuantityFormat = 'DecimalSI'): Quantity => ({ nanos: 0n, format });

/** q.Add(y): the receiver's format wins unless it is zero. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function compareQuantities(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

const DECIMAL_BY_EXP: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_BY_EXP: Record<number, string> = { 0: '', 10: 'Ki', 20: 'Mi', 30: 'Gi', 40: 'Ti', 50: 'Pi', 60: 'Ei' };

/** Quantity.String(): the canonical text (`1500m` → `1500m`, `1000m` → `1`, `1024Mi` → `1Gi`). */
export function formatQuantity(q: Quantity): string {
  const v = q.nanos;
  if (v === 0n) return '0';
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const sign = neg ? '-' : '';
  const whole = abs % NANO === 0n;
  if (q.format === 'BinarySI' && whole && abs >= 1024n * NANO) {
    let n = abs / NANO;
    let exp = 0;
    while (exp < 60 && n % 1024n === 0n) {
      n /= 1024n;
      exp += 10;
    }
    return `${sign}${n}${BINARY_BY_EXP[exp]}`;
  }
  // DecimalSI (and BinarySI values that are small or fractional): the largest exponent of 1000 that divides.
  let exp = -9;
  let n = abs;
  while (exp < 18 && n % 1000n === 0n) {
    n /= 1000n;
    exp += 3;
  }
  if (q.format === 'DecimalExponent') return `${sign}${n}${exp === 0 ? '' : `e${exp}`}`;
  return `${sign}${n}${DECIMAL_BY_EXP[exp]}`;
}

/** The canonical form of a quantity's text (what kube-apiserver stores and prints). */
export function canonicalQuantity(text: unknown): string | undefined {
  const q = parseExact(text);
  return q ? formatQuantity(q) : undefined;
}
