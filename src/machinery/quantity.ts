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
