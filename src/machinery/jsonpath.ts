// k8s.io/client-go/util/jsonpath, as the CRD table convertor (apiextensions-apiserver
// pkg/registry/customresource/tableconvertor) uses it for additionalPrinterColumns: the column's
// jsonPath is parsed as the template `{<jsonPath>}` with AllowMissingKeys(true), the first result of
// the first result list is the cell, and the cell is typed by the column type.
//
// Supported: fields (`.a.b`, `['a.b']`), recursive descent (`..name`), array index and slices
// (`[0]`, `[-1]`, `[1:3]`, `[::2]`, `[*]`), unions (`[0,1]`), wildcards (`.*`), filters
// (`[?(@.type=="Ready")]`, `<`, `>`, `<=`, `>=`, `!=`, existence `[?(@.x)]`), literals. `range`/`end`
// are parsed but not evaluated (nothing a printer column can use).
import { goJSON } from './validation';
import { humanDuration } from './duration';

// ---------------------------------------------------------------------------------------------
// Nodes

interface ParamsEntry {
  value: number;
  known: boolean;
  derived: boolean;
}

type Node =
  | ListNode
  | { t: 'text'; text: string }
  | { t: 'field'; value: string }
  | { t: 'array'; params: [ParamsEntry, ParamsEntry, ParamsEntry] }
  | { t: 'filter'; left: ListNode; right: ListNode; op: string }
  | { t: 'int'; value: number }
  | { t: 'float'; value: number }
  | { t: 'bool'; value: boolean }
  | { t: 'wildcard' }
  | { t: 'recursive' }
  | { t: 'union'; nodes: ListNode[] }
  | { t: 'ident'; name: string };

interface ListNode {
  t: 'list';
  nodes: Node[];
}

const newList = (): ListNode => ({ t: 'list', nodes: [] });

// ---------------------------------------------------------------------------------------------
// Parser (a port of util/jsonpath/parser.go's grammar)

const EOF = '';

class JsonPathParser {
  private input = '';
  private pos = 0;
  private start = 0;
  private width = 0;
  root: ListNode = newList();

  parse(text: string): ListNode {
    this.input = text;
    this.root = newList();
    this.pos = 0;
    this.start = 0;
    this.parseText(this.root);
    return this.root;
  }

  private consumeText(): string {
    const v = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return v;
  }

  private next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const ch = String.fromCodePoint(this.input.codePointAt(this.pos)!);
    this.width = ch.length;
    this.pos += this.width;
    return ch;
  }

  private peek(): string {
    const r = this.next();
    this.backup();
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private parseText(cur: ListNode): void {
    for (;;) {
      if (this.input.startsWith('{', this.pos)) {
        if (this.pos > this.start) cur.nodes.push({ t: 'text', text: this.consumeText() });
        this.parseLeftDelim(cur);
        return;
      }
      if (this.next() === EOF) break;
    }
    if (this.pos > this.start) cur.nodes.push({ t: 'text', text: this.consumeText() });
  }

  private parseLeftDelim(cur: ListNode): void {
    this.pos += 1;
    this.consumeText();
    const n = newList();
    cur.nodes.push(n);
    this.parseInsideAction(n);
  }

  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      const rest = this.input.slice(this.pos);
      if (rest.startsWith('}')) {
        this.pos += 1;
        this.consumeText();
        this.parseText(this.root);
        return;
      }
      if (rest.startsWith('[?(')) {
        this.parseFilter(cur);
        continue;
      }
      if (rest.startsWith('..')) {
        this.parseRecursive(cur);
        continue;
      }
      const r = this.next();
      if (r === EOF || r === '\r' || r === '\n') throw new Error('unclosed action');
      if (r === ' ') this.consumeText();
      else if (r === '@' || r === '$') this.consumeText();
      else if (r === '[') this.parseArray(cur);
      else if (r === '"' || r === "'") this.parseQuote(cur, r);
      else if (r === '.') this.parseField(cur);
      else if (r === '+' || r === '-' || isDigit(r)) {
        this.backup();
        this.parseNumber(cur);
      } else if (isAlphaNumeric(r)) {
        this.backup();
        this.parseIdentifier(cur);
      } else {
        throw new Error(`unrecognized character in action: ${goRuneU(r)}`);
      }
    }
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (isTerminator(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === 'true' || value === 'false') cur.nodes.push({ t: 'bool', value: value === 'true' });
    else cur.nodes.push({ t: 'ident', name: value });
  }

  private parseRecursive(cur: ListNode): void {
    const last = cur.nodes[cur.nodes.length - 1];
    if (last && last.t === 'recursive') throw new Error('invalid multiple recursive descent');
    this.pos += 2;
    this.consumeText();
    cur.nodes.push({ t: 'recursive' });
    if (isAlphaNumeric(this.peek())) this.parseField(cur);
  }

  private parseNumber(cur: ListNode): void {
    const r = this.peek();
    if (r === '+' || r === '-') this.next();
    for (;;) {
      const c = this.next();
      if (c !== '.' && !isDigit(c)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (/^[+-]?\d+$/.test(value)) {
      cur.nodes.push({ t: 'int', value: parseInt(value, 10) });
      return;
    }
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) {
      cur.nodes.push({ t: 'float', value: parseFloat(value) });
      return;
    }
    throw new Error(`cannot parse number ${value}`);
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new Error('unterminated array');
      if (r === ']') break;
    }
    let text = this.consumeText();
    text = text.slice(1, -1);
    if (text === '*') text = ':';

    const strs = text.split(',');
    if (strs.length > 1) {
      const union: ListNode[] = strs.map((s) => parseAction(`[${s.replace(/^ +| +$/g, '')}]`));
      cur.nodes.push({ t: 'union', nodes: union });
      return;
    }

    const dict = /^'([^']*)'$/.exec(text);
    if (dict) {
      for (const n of parseAction(`.${dict[1]}`).nodes) cur.nodes.push(n);
      return;
    }

    const m = /^(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?$/.exec(text);
    if (!m) throw new Error(`invalid array index ${text}`);
    const value = [m[1] ?? '', m[2] ?? '', m[3] ?? ''];
    const params: [ParamsEntry, ParamsEntry, ParamsEntry] = [
      { value: 0, known: false, derived: false },
      { value: 0, known: false, derived: false },
      { value: 0, known: false, derived: false },
    ];
    for (let i = 0; i < 3; i++) {
      if (value[i] !== '') {
        if (i > 0) value[i] = value[i].slice(1);
        if (i > 0 && value[i] === '') {
          params[i].known = false;
        } else {
          params[i].known = true;
          if (!/^[+-]?\d+$/.test(value[i])) throw new Error(`array index ${value[i]} is not a number`);
          params[i].value = parseInt(value[i], 10);
        }
      } else if (i === 1) {
        params[i].known = true;
        params[i].value = params[0].value + 1;
        params[i].derived = true;
      } else {
        params[i].known = false;
        params[i].value = 0;
      }
    }
    cur.nodes.push({ t: 'array', params });
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consumeText();
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new Error('unterminated filter');
      if (r === '"' || r === "'") {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== '\\' && r === pair) end = true;
      } else if (r === ')') {
        if (begin === end) break;
      }
    }
    if (this.next() !== ']') throw new Error('unclosed array expect ]');
    let text = this.consumeText();
    text = text.slice(0, -2);
    const m = /^([^!<>=]+)([!<>=]+)(.+?)$/s.exec(text);
    if (!m) {
      cur.nodes.push({ t: 'filter', left: parseAction(text), right: newList(), op: 'exists' });
    } else {
      cur.nodes.push({ t: 'filter', left: parseAction(m[1]), right: parseAction(m[3]), op: m[2] });
    }
  }

  private parseQuote(cur: ListNode, end: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new Error('unterminated quoted string');
      if (r === end && this.input[this.pos - 2] !== '\\') break;
    }
    const value = this.consumeText();
    cur.nodes.push({ t: 'text', text: unquoteExtend(value) });
  }

  private parseField(cur: ListNode): void {
    this.consumeText();
    while (this.advance()) {
      /* scan */
    }
    const value = this.consumeText();
    if (value === '*') cur.nodes.push({ t: 'wildcard' });
    else cur.nodes.push({ t: 'field', value: value.replace(/\\/g, '') });
  }

  private advance(): boolean {
    const r = this.next();
    if (r === '\\') this.next();
    else if (isTerminator(r)) {
      this.backup();
      return false;
    }
    return true;
  }
}

/** parseAction: parse `{text}` and return the list inside the braces. */
function parseAction(text: string): ListNode {
  const root = new JsonPathParser().parse(`{${text}}`);
  return root.nodes[0] as ListNode;
}

function isDigit(r: string): boolean {
  return r !== EOF && /^\p{Nd}$/u.test(r);
}

function isAlphaNumeric(r: string): boolean {
  return r === '_' || (r !== EOF && /^[\p{L}\p{Nd}]$/u.test(r));
}

function isTerminator(r: string): boolean {
  if (r === ' ' || r === '\t' || r === '\r' || r === '\n') return true;
  return r === EOF || '.,[]$@{}'.includes(r);
}

/** Go's %#U of a rune: U+007B '{' */
function goRuneU(r: string): string {
  const cp = r.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${r}'`;
}

/** UnquoteExtend: strconv.Unquote that also accepts single-quoted strings. */
function unquoteExtend(s: string): string {
  if (s.length < 2) throw new Error(`unquote string ${s} error invalid syntax`);
  const quote = s[0];
  if (quote !== s[s.length - 1] || (quote !== '"' && quote !== "'")) throw new Error(`unquote string ${s} error invalid syntax`);
  const body = s.slice(1, -1);
  if (!body.includes('\\') && !body.includes(quote)) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === quote) throw new Error(`unquote string ${s} error invalid syntax`);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };
    if (e !== undefined && e in simple) {
      if ((e === "'" || e === '"') && e !== quote) throw new Error(`unquote string ${s} error invalid syntax`);
      out += simple[e];
      continue;
    }
    const hex = (n: number) => {
      const h = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new Error(`unquote string ${s} error invalid syntax`);
      i += n;
      return parseInt(h, 16);
    };
    if (e === 'x') out += String.fromCharCode(hex(2));
    else if (e === 'u') out += String.fromCodePoint(hex(4));
    else if (e === 'U') out += String.fromCodePoint(hex(8));
    else if (e !== undefined && /[0-7]/.test(e)) {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) throw new Error(`unquote string ${s} error invalid syntax`);
      i += 2;
      out += String.fromCharCode(parseInt(o, 8));
    } else throw new Error(`unquote string ${s} error invalid syntax`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Evaluation (util/jsonpath/jsonpath.go FindResults for one action, no range/end)

/** A float literal from the template (`1.0`): Go keeps it a float64 even when it is whole. */
class FloatLit {
  constructor(readonly value: number) {}
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof FloatLit);

/** The Go type name %v prints for a decoded JSON value (used in error texts only). */
function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (v instanceof FloatLit) return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

class Evaluator {
  constructor(private readonly allowMissingKeys: boolean) {}

  walk(input: unknown[], node: Node): unknown[] {
    switch (node.t) {
      case 'list':
        return this.evalList(input, node);
      case 'text':
        return [node.text];
      case 'field':
        return this.evalField(input, node.value);
      case 'array':
        return this.evalArray(input, node.params);
      case 'filter':
        return this.evalFilter(input, node);
      case 'int':
        return input.map(() => node.value);
      case 'float':
        return input.map(() => new FloatLit(node.value));
      case 'bool':
        return input.map(() => node.value);
      case 'wildcard':
        return this.evalWildcard(input);
      case 'recursive':
        return this.evalRecursive(input);
      case 'union': {
        const out: unknown[] = [];
        for (const l of node.nodes) out.push(...this.evalList(input, l));
        return out;
      }
      case 'ident':
        if (node.name === 'range' || node.name === 'end') throw new Error(`${node.name} is not supported here`);
        throw new Error(`unrecognized identifier ${node.name}`);
    }
  }

  evalList(input: unknown[], node: ListNode): unknown[] {
    let cur = input;
    for (const n of node.nodes) cur = this.walk(cur, n);
    return cur;
  }

  private evalField(input: unknown[], name: string): unknown[] {
    const results: unknown[] = [];
    if (input.length === 0) return results;
    for (const v of input) {
      if (v === null || v === undefined) continue;
      if (isMap(v) && Object.prototype.hasOwnProperty.call(v, name) && v[name] !== undefined) results.push(v[name]);
    }
    if (results.length === 0 && !this.allowMissingKeys) throw new Error(`${name} is not found`);
    return results;
  }

  private evalArray(input: unknown[], nodeParams: [ParamsEntry, ParamsEntry, ParamsEntry]): unknown[] {
    const result: unknown[] = [];
    for (const value of input) {
      if (value === null || value === undefined) continue;
      if (!Array.isArray(value)) throw new Error(`${goTypeName(value)} is not array or slice`);
      const params = nodeParams.map((p) => ({ ...p }));
      if (!params[0].known) params[0].value = 0;
      if (params[0].value < 0) params[0].value += value.length;
      if (!params[1].known) params[1].value = value.length;
      if (params[1].value < 0 || (params[1].value === 0 && params[1].derived)) params[1].value += value.length;
      const len = value.length;
      if (params[1].value !== params[0].value) {
        if (params[0].value >= len || params[0].value < 0) throw new Error(`array index out of bounds: index ${params[0].value}, length ${len}`);
        if (params[1].value > len || params[1].value < 0) throw new Error(`array index out of bounds: index ${params[1].value - 1}, length ${len}`);
        if (params[0].value > params[1].value) throw new Error(`starting index ${params[0].value} is greater than ending index ${params[1].value}`);
      } else {
        return result;
      }
      const slice = value.slice(params[0].value, params[1].value);
      let step = 1;
      if (params[2].known) {
        if (params[2].value <= 0) throw new Error('step must be > 0');
        step = params[2].value;
      }
      for (let i = 0; i < slice.length; i += step) result.push(slice[i]);
    }
    return result;
  }

  private children(value: unknown): unknown[] {
    if (isMap(value)) return Object.values(value).filter((v) => v !== undefined);
    if (Array.isArray(value)) return value;
    if (typeof value === 'string') return [...new TextEncoder().encode(value)]; // Go indexes a string by bytes
    return [];
  }

  private evalWildcard(input: unknown[]): unknown[] {
    const results: unknown[] = [];
    for (const v of input) {
      if (v === null || v === undefined) continue;
      results.push(...this.children(v));
    }
    return results;
  }

  private evalRecursive(input: unknown[]): unknown[] {
    const result: unknown[] = [];
    for (const v of input) {
      if (v === null || v === undefined) continue;
      const kids = this.children(v);
      if (kids.length !== 0) {
        result.push(v);
        result.push(...this.evalRecursive(kids));
      }
    }
    return result;
  }

  private evalFilter(input: unknown[], node: { left: ListNode; right: ListNode; op: string }): unknown[] {
    const results: unknown[] = [];
    for (const value of input) {
      if (!Array.isArray(value)) throw new Error(`${value === null || value === undefined ? '<nil>' : goTypeName(value)} is not array or slice and cannot be filtered`);
      for (const item of value) {
        const temp = [item];
        let lefts: unknown[] = [];
        let leftErr: unknown;
        try {
          lefts = this.evalList(temp, node.left);
        } catch (e) {
          leftErr = e;
        }
        if (node.op === 'exists') {
          if (lefts.length > 0) results.push(item);
          continue;
        }
        if (leftErr) throw leftErr;
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new Error('can only compare one element at a time');
        const rights = this.evalList(temp, node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new Error('can only compare one element at a time');
        if (compare(lefts[0], rights[0], node.op)) results.push(item);
      }
    }
    return results;
  }
}

type BasicKind = 'bool' | 'int' | 'float' | 'string';

function basicKind(v: unknown): BasicKind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (v instanceof FloatLit) return 'float';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  throw new Error('invalid type for comparison');
}

const num = (v: unknown): number => (v instanceof FloatLit ? v.value : (v as number));

/** text/template's eq/ne/lt/le/gt/ge as client-go's fork has them. */
function compare(a: unknown, b: unknown, op: string): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  const eq = k1 === 'int' || k1 === 'float' ? num(a) === num(b) : a === b;
  const less = (): boolean => {
    if (k1 === 'bool') throw new Error('invalid type for comparison');
    return k1 === 'string' ? (a as string) < (b as string) : num(a) < num(b);
  };
  switch (op) {
    case '==':
      return eq;
    case '!=':
      return !eq;
    case '<':
      return less();
    case '<=':
      return less() || eq;
    case '>':
      return !(less() || eq);
    case '>=':
      return !less();
    default:
      throw new Error(`unrecognized filter operator ${op}`);
  }
}

function unwrap(v: unknown): unknown {
  return v instanceof FloatLit ? v.value : v;
}

// ---------------------------------------------------------------------------------------------
// Public API

const cache = new Map<string, ListNode>();
const CACHE_MAX = 512;

/** Parse a printer column's jsonPath the way the table convertor does (`{<expr>}`); throws on syntax errors. */
export function parseJsonPath(expr: string): void {
  compile(expr);
}

function compile(expr: string): ListNode {
  let root = cache.get(expr);
  if (!root) {
    root = new JsonPathParser().parse(`{${expr}}`);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(expr, root);
  }
  return root;
}

/**
 * FindResults of `{expr}` with missing keys allowed, the first result list (what a printer column reads).
 * Throws on syntax and evaluation errors (index out of range, filtering a non-list, incomparable types).
 */
export function findJsonPathResults(expr: string, obj: unknown): unknown[] {
  const root = compile(expr);
  const ev = new Evaluator(true);
  const first = root.nodes[0];
  if (!first) return [];
  if (first.t !== 'list') return first.t === 'text' ? [first.text] : [];
  return ev.evalList([obj], first).map(unwrap);
}

/** Like findJsonPathResults, but any error yields no results (the table convertor then prints a null cell). */
export function evalJsonPath(expr: string, obj: unknown): unknown[] {
  try {
    return findJsonPathResults(expr, obj);
  } catch {
    return [];
  }
}

/** Go's %v of a float64 (strconv 'g' with the shortest digits: exponent form below 1e-4 and from 1e6 up). */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential().split('e');
  const exp = parseInt(expStr, 10);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

/** How JSONPath.PrintResults renders one value: maps and lists as JSON, the rest with fmt.Fprint. */
function printText(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : formatGoFloat(v);
  if (typeof v === 'boolean') return String(v);
  return goJSON(v);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** metav1.Time.UnmarshalQueryParameter: milliseconds since epoch, null for the zero time, NaN when malformed. */
function parseMetaTime(s: string): number | null {
  if (s === '' || s === 'null') return null;
  const m = RFC3339.exec(s);
  if (!m) return NaN;
  const [, , mo, d, h, mi, se] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +se > 59) return NaN;
  const t = Date.parse(s);
  return Number.isNaN(t) ? NaN : t;
}

/**
 * One printer-column cell from evalJsonPath's results, as the CRD table convertor builds it:
 * no result → null (kubectl shows `<none>`); `string` columns print the value (null → `<no value>`,
 * maps and lists as JSON); `integer` → whole number (floats truncated); `number` → number; `boolean`;
 * `date` → the timestamp string, or with `now` (ms) the human-readable age like kube-apiserver
 * (`<unknown>` when empty, `<invalid>` when unparsable); a value of the wrong JSON type → null.
 */
export function printerCell(value: unknown[], type: string, _format?: string, now?: number): unknown {
  if (!value || value.length === 0) return null;
  const v = value[0];
  if (type === 'string') return printText(v);
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof v === 'number' ? (Number.isInteger(v) ? v : Math.trunc(v)) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date': {
      if (typeof v !== 'string') return null;
      if (now === undefined) return v;
      const t = parseMetaTime(v);
      if (t === null) return '<unknown>';
      if (Number.isNaN(t)) return '<invalid>';
      return humanDuration(now - t);
    }
    default:
      return null;
  }
}
