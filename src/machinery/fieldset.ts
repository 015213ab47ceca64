// Field sets and their FieldsV1 encoding, as sigs.k8s.io/structured-merge-diff (fieldpath) defines them:
// the data structure behind metadata.managedFields.
//
// A FieldSet is a trie of path elements: `members` are the paths that end at this node, `children` the
// sub-sets below a path element. Path elements are field names (`f:spec`), keys of list-map elements
// (`k:{"name":"web"}`), values of set elements (`v:"x"`) and list indices (`i:0`), totally ordered
// like upstream (fields < keys < values < indices; values ordered numbers < strings < bools < lists <
// maps < null). FieldsV1 is the JSON form: one object per node, the keys of members mapping to `{}`,
// the keys of children to their node, and `".": {}` first inside a child that is also a member.
// Sets are treated as immutable once built: the set operations share sub-trees.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'key'; readonly fields: ReadonlyArray<readonly [string, JsonValue]> }
  | { readonly kind: 'value'; readonly value: JsonValue }
  | { readonly kind: 'index'; readonly index: number };

export type Path = readonly PathElement[];

export const fieldPE = (name: string): PathElement => ({ kind: 'field', name });
export const valuePE = (value: JsonValue): PathElement => ({ kind: 'value', value });
export const indexPE = (index: number): PathElement => ({ kind: 'index', index });
/** A list-map key; the fields are sorted by name like upstream's FieldList.Sort. */
export function keyPE(fields: Iterable<readonly [string, JsonValue]>): PathElement {
  const list = [...fields].map(([n, v]) => [n, v] as const);
  list.sort((a, b) => strCompare(a[0], b[0]));
  return { kind: 'key', fields: list };
}

/** A path from dotted field names (tests, reset fields): path('spec', 'replicas'). */
export function fieldPath(...names: string[]): Path {
  return names.map(fieldPE);
}

// ---------------------------------------------------------------------------------------------------
// Values: ordering and equality (value.Compare / value.Equals)

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Byte-wise string order (Go strings.Compare) for the code points we care about. */
export function strCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isObject(v)) return 4;
  return 5; // null (and anything invalid)
}

/** Total order over JSON values: numbers < strings < bools < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return strCompare(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; ; i++) {
        if (i >= la.length && i >= lb.length) return 0;
        if (i >= la.length) return -1;
        if (i >= lb.length) return 1;
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
    }
    case 4: {
      const ma = a as Record<string, unknown>;
      const mb = b as Record<string, unknown>;
      const ka = Object.keys(ma).filter((k) => ma[k] !== undefined);
      const kb = Object.keys(mb).filter((k) => mb[k] !== undefined);
      if (ka.length === 0 && kb.length === 0) return 0;
      const keys = [...new Set([...ka, ...kb])].sort(strCompare);
      const hasA = new Set(ka);
      const hasB = new Set(kb);
      let i = 0;
      for (const k of keys) {
        let c: number;
        if (i === ka.length) c = -1;
        else if (i === kb.length) c = 1;
        else if (!hasA.has(k)) c = 1;
        else if (!hasB.has(k)) c = -1;
        else c = compareValues(ma[k], mb[k]);
        i++;
        if (c !== 0) return c;
      }
      return 0;
    }
    default:
      return 0;
  }
}

/** Deep equality of JSON values (maps unordered; members set to undefined count as absent). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => b[k] !== undefined && valuesEqual(a[k], b[k]));
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Go-compatible JSON text (encoding/json and json-iterator's standard-library mode escape <, >, & and
// U+2028/U+2029; map keys sorted when asked, as Go does for maps).

function goString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += ch + s[i + 1];
        i++;
      } else out += '\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) out += '\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** JSON text the way Go writes it; `sortKeys` for values that Go holds as maps (unstructured objects). */
export function goJSON(v: unknown, sortKeys = true): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map((x) => goJSON(x, sortKeys)).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (sortKeys) keys.sort(strCompare);
    return `{${keys.map((k) => `${goString(k)}:${goJSON(v[k], sortKeys)}`).join(',')}}`;
  }
  return 'null';
}

/** Go's %q-ish rendering used in path strings (value.ToString). */
function valueToString(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  return Object.entries(v)
    .map(([k, x]) => `${k}=${valueToString(x)}`)
    .join('');
}

// ---------------------------------------------------------------------------------------------------
// Path elements

export function comparePE(a: PathElement, b: PathElement): number {
  const order = { field: 0, key: 1, value: 2, index: 3 } as const;
  if (a.kind !== b.kind) return order[a.kind] < order[b.kind] ? -1 : 1;
  switch (a.kind) {
    case 'field':
      return strCompare(a.name, (b as typeof a).name);
    case 'key': {
      const fa = a.fields;
      const fb = (b as typeof a).fields;
      for (let i = 0; ; i++) {
        if (i >= fa.length && i >= fb.length) return 0;
        if (i >= fa.length) return -1;
        if (i >= fb.length) return 1;
        const c = strCompare(fa[i][0], fb[i][0]) || compareValues(fa[i][1], fb[i][1]);
        if (c !== 0) return c;
      }
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index': {
      const ib = (b as typeof a).index;
      return a.index < ib ? -1 : a.index > ib ? 1 : 0;
    }
  }
}

export function peEquals(a: PathElement, b: PathElement): boolean {
  return comparePE(a, b) === 0;
}

/** `.spec`, `[name="web"]`, `[="x"]`, `[0]` (PathElement.String). */
export function peToString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map(([n, v]) => `${n}=${valueToString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueToString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

/** `.spec.template.spec.containers[name="web"].image` (Path.String). */
export function pathToString(path: Path): string {
  return path.map(peToString).join('');
}

/** The FieldsV1 key of a path element: `f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`. */
export function serializePE(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `f:${pe.name}`;
    case 'key':
      return `k:{${pe.fields.map(([n, v]) => `${goString(n)}:${goJSON(v)}`).join(',')}}`;
    case 'value':
      return `v:${goJSON(pe.value)}`;
    case 'index':
      return `i:${pe.index}`;
  }
}

export class UnknownPathElementType extends Error {}

/** Parse a FieldsV1 key; throws on malformed keys, UnknownPathElementType for unknown prefixes. */
export function deserializePE(s: string): PathElement {
  if (s.length < 2) throw new Error('key must be 2 characters long:');
  if (s[1] !== ':') throw new Error(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return fieldPE(body);
    case 'v':
      return valuePE(JSON.parse(body) as JsonValue);
    case 'k': {
      const obj = JSON.parse(body) as unknown;
      if (!isObject(obj)) throw new Error(`ReadObjectCB: expect { or n, but found ${body[0] ?? ''}`);
      return keyPE(Object.entries(obj) as [string, JsonValue][]);
    }
    case 'i': {
      if (!/^[+-]?\d+$/.test(body)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(body)}: invalid syntax`);
      return indexPE(parseInt(body, 10));
    }
    default:
      throw new UnknownPathElementType('unknown path element type');
  }
}

// ---------------------------------------------------------------------------------------------------
// Sets

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

function search<T>(arr: readonly T[], pe: PathElement, get: (x: T) => PathElement): { found: boolean; at: number } {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = comparePE(get(arr[mid]), pe);
    if (c === 0) return { found: true, at: mid };
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return { found: false, at: lo };
}

const idPE = (pe: PathElement) => pe;
const childPE = (c: Child) => c.pe;

export class FieldSet {
  /** Sorted path elements that end here. */
  members: PathElement[] = [];
  /** Sorted sub-sets. */
  children: Child[] = [];

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Add a path (mutates; only for sets under construction). */
  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) s = s.descend(path[i]);
    const last = path[path.length - 1];
    const r = search(s.members, last, idPE);
    if (!r.found) s.members.splice(r.at, 0, last);
  }

  private descend(pe: PathElement): FieldSet {
    const r = search(this.children, pe, childPE);
    if (r.found) return this.children[r.at].set;
    const set = new FieldSet();
    this.children.splice(r.at, 0, { pe, set });
    return set;
  }

  hasMember(pe: PathElement): boolean {
    return search(this.members, pe, idPE).found;
  }

  child(pe: PathElement): FieldSet | undefined {
    const r = search(this.children, pe, childPE);
    return r.found ? this.children[r.at].set : undefined;
  }

  /** The sub-set below `pe` (empty when none), like Set.WithPrefix. */
  withPrefix(pe: PathElement): FieldSet {
    return this.child(pe) ?? EMPTY;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1; i++) {
      s = s.child(path[i]);
      if (!s) return false;
    }
    return s.hasMember(path[path.length - 1]);
  }

  empty(): boolean {
    return this.members.length === 0 && this.children.every((c) => c.set.empty());
  }

  size(): number {
    return this.members.length + this.children.reduce((n, c) => n + c.set.size(), 0);
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.members = mergeMembers(this.members, o.members, 'union');
    const a = this.children;
    const b = o.children;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const c = comparePE(a[i].pe, b[j].pe);
      if (c < 0) out.children.push(a[i++]);
      else if (c > 0) out.children.push(b[j++]);
      else out.children.push({ pe: a[i].pe, set: a[i++].set.union(b[j++].set) });
    }
    while (i < a.length) out.children.push(a[i++]);
    while (j < b.length) out.children.push(b[j++]);
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.members = mergeMembers(this.members, o.members, 'intersection');
    const a = this.children;
    const b = o.children;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const c = comparePE(a[i].pe, b[j].pe);
      if (c < 0) i++;
      else if (c > 0) j++;
      else {
        const res = a[i].set.intersection(b[j].set);
        if (!res.empty()) out.children.push({ pe: a[i].pe, set: res });
        i++;
        j++;
      }
    }
    return out;
  }

  /** Members of this set not in `o`; children recurse (a member of `o` does not remove a sub-tree). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.members = mergeMembers(this.members, o.members, 'difference');
    const a = this.children;
    const b = o.children;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const c = comparePE(a[i].pe, b[j].pe);
      if (c < 0) out.children.push(a[i++]);
      else if (c > 0) j++;
      else {
        const diff = a[i].set.difference(b[j].set);
        if (!diff.empty()) out.children.push({ pe: a[i].pe, set: diff });
        i++;
        j++;
      }
    }
    while (i < a.length) out.children.push(a[i++]);
    return out;
  }

  /** Like difference, but a member of `o` also removes the whole sub-tree below it. */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.members = mergeMembers(this.members, o.members, 'difference');
    const a = this.children;
    const b = o.children;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const c = comparePE(a[i].pe, b[j].pe);
      if (c < 0) {
        if (!o.hasMember(a[i].pe)) out.children.push(a[i]);
        i++;
      } else if (c > 0) j++;
      else {
        if (!o.hasMember(a[i].pe)) {
          const diff = a[i].set.recursiveDifference(b[j].set);
          if (!diff.empty()) out.children.push({ pe: a[i].pe, set: diff });
        }
        i++;
        j++;
      }
    }
    for (; i < a.length; i++) if (!o.hasMember(a[i].pe)) out.children.push(a[i]);
    return out;
  }

  equals(o: FieldSet): boolean {
    if (this.members.length !== o.members.length || this.children.length !== o.children.length) return false;
    if (!this.members.every((m, i) => peEquals(m, o.members[i]))) return false;
    return this.children.every((c, i) => peEquals(c.pe, o.children[i].pe) && c.set.equals(o.children[i].set));
  }

  /** Every path, members before children, each in order (Set.Iterate). */
  iterate(fn: (p: Path) => void, prefix: Path = []): void {
    for (const m of this.members) fn([...prefix, m]);
    for (const c of this.children) c.set.iterate(fn, [...prefix, c.pe]);
  }

  paths(): Path[] {
    const out: Path[] = [];
    this.iterate((p) => out.push(p));
    return out;
  }

  /** Human-readable, one path per line (Set.String). */
  toString(): string {
    return this.paths().map(pathToString).join('\n');
  }
}

const EMPTY = new FieldSet();

function mergeMembers(a: PathElement[], b: PathElement[], op: 'union' | 'intersection' | 'difference'): PathElement[] {
  const out: PathElement[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = comparePE(a[i], b[j]);
    if (c < 0) {
      if (op !== 'intersection') out.push(a[i]);
      i++;
    } else if (c > 0) {
      if (op === 'union') out.push(b[j]);
      j++;
    } else {
      if (op !== 'difference') out.push(a[i]);
      i++;
      j++;
    }
  }
  if (op !== 'intersection') while (i < a.length) out.push(a[i++]);
  if (op === 'union') while (j < b.length) out.push(b[j++]);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// FieldsV1

export type FieldsV1 = { [key: string]: FieldsV1 };

/** Encode a set as FieldsV1 (Set.ToJSON): keys in upstream's order, `.` first for member children. */
export function toFieldsV1(set: FieldSet): FieldsV1 {
  return emit(set, false);
}

function emit(s: FieldSet, includeSelf: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  const children = s.children.filter((c) => !c.set.empty());
  if (includeSelf && (s.members.length > 0 || children.length > 0)) out['.'] = {};
  let mi = 0;
  let ci = 0;
  while (mi < s.members.length && ci < children.length) {
    const m = s.members[mi];
    const c = children[ci];
    const d = comparePE(m, c.pe);
    if (d < 0) {
      out[serializePE(m)] = {};
      mi++;
    } else if (d > 0) {
      out[serializePE(c.pe)] = emit(c.set, false);
      ci++;
    } else {
      out[serializePE(c.pe)] = emit(c.set, true);
      mi++;
      ci++;
    }
  }
  for (; mi < s.members.length; mi++) out[serializePE(s.members[mi])] = {};
  for (; ci < children.length; ci++) out[serializePE(children[ci].pe)] = emit(children[ci].set, false);
  return out;
}

/** Decode FieldsV1 (Set.FromJSON); throws on malformed keys. Unknown element types are dropped. */
export function fromFieldsV1(fields: unknown): FieldSet {
  if (fields === null || fields === undefined) return new FieldSet();
  if (!isObject(fields)) throw new Error('ReadMapCB: expect { or n');
  return readNode(fields).children ?? new FieldSet();
}

function readNode(node: Record<string, unknown>): { children?: FieldSet; isMember: boolean } {
  let children: FieldSet | undefined;
  let isMember = false;
  for (const [key, value] of Object.entries(node)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    let pe: PathElement;
    try {
      pe = deserializePE(key);
    } catch (e) {
      if (e instanceof UnknownPathElementType) continue;
      throw new Error(`parsing key as path element: ${(e as Error).message}`);
    }
    if (!isObject(value)) throw new Error('ReadMapCB: expect { or n');
    const sub = readNode(value);
    children ??= new FieldSet();
    if (sub.isMember) children.insert([pe]);
    if (sub.children) {
      const r = search(children.children, pe, childPE);
      if (r.found) children.children[r.at] = { pe, set: children.children[r.at].set.union(sub.children) };
      else children.children.splice(r.at, 0, { pe, set: sub.children });
    }
  }
  if (!children) isMember = true;
  return { children, isMember };
}
