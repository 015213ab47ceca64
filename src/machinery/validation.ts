// Validation helpers worded exactly like k8s.io/apimachinery (util/validation, api/validate/content,
// util/validation/field, api/validation ObjectMeta) as of Kubernetes 1.36.
import type { FieldError, ObjectMeta } from '../registry/types';

// ---------------------------------------------------------------------------------------------
// Message builders (util/validation and api/validate/content)

/** validation.MaxLenError (util/validation: "characters"). */
function maxLenChars(n: number): string {
  return `must be no more than ${n} characters`;
}
/** content.MaxLenError (api/validate/content, used for label keys and values since 1.35: "bytes"). */
function maxLenBytes(n: number): string {
  return `must be no more than ${n} bytes`;
}

/** validation.RegexError. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((ex, i) => {
    if (i > 0) out += ' or ';
    out += `'${ex}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

const EMPTY_ERROR = 'must be non-empty';

/** UTF-8 byte length, which is what Go's len(string) counts. */
export function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// DNS names

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL_FMT}$`);

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const DNS1035_LABEL_MAX_LENGTH = 63;

/** validation.IsDNS1123Label */
export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenChars(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(v)) {
    if (dns1123SubdomainRe.test(v)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** validation.IsDNS1123Subdomain */
export function isDNS1123Subdomain(v: string): string[] {
  return dns1123Subdomain(v, maxLenChars);
}

function dns1123Subdomain(v: string, maxLen: (n: number) => string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLen(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(v)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** validation.IsDNS1035Label */
export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenChars(DNS1035_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(v)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Label keys (qualified names) and values

const LABEL_KEY_CHAR = '[A-Za-z0-9]';
const LABEL_KEY_EXT_CHAR = '[-A-Za-z0-9_.]';
const QUALIFIED_NAME_FMT = `(${LABEL_KEY_CHAR}${LABEL_KEY_EXT_CHAR}*)?${LABEL_KEY_CHAR}`;
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX_LENGTH = 63;
const qualifiedNameRe = new RegExp(`^${QUALIFIED_NAME_FMT}$`);

/** validation.IsQualifiedName (content.IsLabelKey): label keys, annotation keys, finalizers. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else for (const m of dns1123Subdomain(prefix, maxLenBytes)) errs.push(`prefix part ${m}`);
  } else {
    return [
      `a valid label key ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLenBytes(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LABEL_VALUE_MAX_LENGTH = 63;
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** validation.IsValidLabelValue (content.IsLabelValue). */
export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenBytes(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(v)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// field.Error

/** Go's strconv.Quote (what %q prints), close enough for API values. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd'; // lone surrogate: invalid UTF-8 in Go
    else out += ch;
  }
  return `${out}"`;
}

const STRUCT = Symbol('goStruct');

/** Mark an object as a Go struct for goJSON/formatValue: its keys print in insertion order, not sorted. */
export function goStruct<T extends object>(o: T): T {
  Object.defineProperty(o, STRUCT, { value: true, enumerable: false });
  return o;
}

/** Go's json.Marshal for a JSON-ish value: map keys sorted (structs: see goStruct), HTML characters escaped. */
export function goJSON(v: unknown): string {
  const sortKeys = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (x && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      const keys = Object.keys(x as object);
      for (const k of (x as { [STRUCT]?: boolean })[STRUCT] ? keys : keys.sort()) {
        const val = (x as Record<string, unknown>)[k];
        if (val === undefined) continue;
        if (k === '__proto__') Object.defineProperty(o, k, { value: sortKeys(val), enumerable: true, writable: true, configurable: true });
        else o[k] = sortKeys(val);
      }
      return o;
    }
    return x;
  };
  const s = JSON.stringify(sortKeys(v)) ?? 'null';
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How field.Error prints a bad value: strings %q, numbers and booleans bare, the rest as JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return 'null';
  return goJSON(v);
}

function fe(type: string, path: string, body: string, detail?: string): FieldError {
  return { type, field: path, message: detail ? `${body}: ${detail}` : body };
}

/** Constructors mirroring k8s.io/apimachinery/pkg/util/validation/field. */
export const field = {
  required(path: string, detail?: string): FieldError {
    return fe('FieldValueRequired', path, 'Required value', detail);
  },
  invalid(path: string, value: unknown, detail: string): FieldError {
    return fe('FieldValueInvalid', path, `Invalid value: ${formatValue(value)}`, detail);
  },
  typeInvalid(path: string, value: unknown, detail: string): FieldError {
    return fe('FieldValueTypeInvalid', path, `Invalid value: ${formatValue(value)}`, detail);
  },
  notSupported(path: string, value: unknown, valid: string[]): FieldError {
    const detail = valid.length ? `supported values: ${valid.map((v) => goQuote(String(v))).join(', ')}` : '';
    return fe('FieldValueNotSupported', path, `Unsupported value: ${formatValue(value)}`, detail);
  },
  forbidden(path: string, detail: string): FieldError {
    return fe('FieldValueForbidden', path, 'Forbidden', detail);
  },
  duplicate(path: string, value: unknown): FieldError {
    return fe('FieldValueDuplicate', path, `Duplicate value: ${formatValue(value)}`);
  },
  notFound(path: string, value: unknown): FieldError {
    return fe('FieldValueNotFound', path, `Not found: ${formatValue(value)}`);
  },
  /** The value is never printed (field.TooLong). */
  tooLong(path: string, _value: unknown, max: number): FieldError {
    const detail = max >= 0 ? `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` : 'value is too long';
    return fe('FieldValueTooLong', path, 'Too long', detail);
  },
  tooMany(path: string, actual: number, max: number): FieldError {
    const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
    return fe('FieldValueTooMany', path, actual >= 0 ? `Too many: ${actual}` : 'Too many', detail);
  },
  internal(path: string, detail: string): FieldError {
    return fe('InternalError', path, 'Internal error', detail);
  },
};

/** A field.Error printed the way Go's err.Error() does: `path: body`. */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${e.message}`;
}

/** errors.NewAggregate(...).Error(): one message alone, several as `[a, b]` (duplicates dropped). */
export function aggregateString(messages: string[]): string {
  const seen = [...new Set(messages)];
  if (seen.length === 0) return '';
  if (seen.length === 1) return seen[0];
  return `[${seen.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// ObjectMeta

export const FIELD_IMMUTABLE = 'field is immutable';
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Semantic deep equality of JSON values (apiequality.Semantic.DeepEqual, minus quantities). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** ValidateImmutableField */
export function validateImmutableField(newVal: unknown, oldVal: unknown, path: string): FieldError[] {
  return deepEqual(newVal, oldVal) ? [] : [field.invalid(path, newVal, FIELD_IMMUTABLE)];
}

/** apimachinery's maskTrailingDash, applied to generateName before the name check (bug-for-bug). */
function maskTrailingDash(name: string): string {
  if (name.length > 1 && name.endsWith('-')) return `${name.slice(0, -2)}a`;
  return name;
}

/** v1validation.ValidateLabels */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(field.invalid(path, k, m));
    for (const m of isValidLabelValue(String(v))) errs.push(field.invalid(path, v, m));
  }
  return errs;
}

/** ValidateAnnotations: keys are qualified names (case-insensitive), total size at most 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, m));
    total += byteLength(k) + byteLength(String(v ?? ''));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(field.tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** ValidateOwnerReferences */
export function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(refs)) return errs;
  let firstController = '';
  // As Go prints []metav1.OwnerReference: struct field order, empty optional fields left out.
  const shown = refs.map((raw) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const o: Record<string, unknown> = { apiVersion: r.apiVersion ?? '', kind: r.kind ?? '', name: r.name ?? '', uid: r.uid ?? '' };
    if (r.controller !== undefined && r.controller !== null) o.controller = r.controller;
    if (r.blockOwnerDeletion !== undefined && r.blockOwnerDeletion !== null) o.blockOwnerDeletion = r.blockOwnerDeletion;
    return goStruct(o);
  });
  refs.forEach((raw, i) => {
    const ref = (raw ?? {}) as Record<string, unknown>;
    const p = `${path}[${i}]`;
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    const kind = typeof ref.kind === 'string' ? ref.kind : '';
    const name = typeof ref.name === 'string' ? ref.name : '';
    const uid = typeof ref.uid === 'string' ? ref.uid : '';
    let version = '';
    let group = '';
    let gvOk = true;
    if (apiVersion) {
      const parts = apiVersion.split('/');
      if (parts.length === 1) version = parts[0];
      else if (parts.length === 2) [group, version] = parts;
      else gvOk = false;
    }
    if (!apiVersion) errs.push(field.required(`${p}.apiVersion`, 'must not be empty'));
    else if (!gvOk || !version) errs.push(field.invalid(`${p}.apiVersion`, apiVersion, 'must be <group>/<version> or <version>'));
    if (!kind) errs.push(field.required(`${p}.kind`, 'must not be empty'));
    if (!name) errs.push(field.required(`${p}.name`, 'must not be empty'));
    if (!uid) errs.push(field.required(`${p}.uid`, 'must not be empty'));
    if (gvOk && group === '' && version === 'v1' && kind === 'Event') {
      errs.push(field.invalid(p, shown[i], '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const cur = `${kind}/${name}`;
      if (firstController) {
        errs.push(
          field.invalid(path, shown, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`),
        );
      } else firstController = cur;
    }
  });
  return errs;
}

/** ValidateFinalizers (apimachinery) plus, for built-in types, core's validateKubeFinalizerName. */
export function validateFinalizers(finalizers: unknown, path: string, builtin: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(finalizers)) return errs;
  let orphan = false;
  let foreground = false;
  for (const f of finalizers) {
    const s = String(f);
    for (const m of isQualifiedName(s)) errs.push(field.invalid(path, s, m));
    if (s === 'orphan') orphan = true;
    if (s === 'foregroundDeletion') foreground = true;
  }
  if (orphan && foreground) errs.push(field.invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  if (builtin) {
    finalizers.forEach((f, i) => {
      const s = String(f);
      if (!s.includes('/') && !STANDARD_FINALIZERS.has(s)) {
        errs.push(field.invalid(`${path}[${i}]`, s, 'name is neither a standard finalizer name nor is it fully qualified'));
      }
    });
  }
  return errs;
}

function nonNegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [field.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

export interface ObjectMetaOptions {
  namespaced: boolean;
  /** Name rule (default isDNS1123Subdomain). generateName is checked with a trailing dash masked. */
  nameFn?: (name: string) => string[];
  /** Also apply core/v1's finalizer rule (unqualified names other than kubernetes/orphan/foregroundDeletion are
   * rejected), as built-in types do. Default true; custom resources pass false. */
  builtinFinalizers?: boolean;
}

/** ValidateObjectMeta (create). Paths are rooted at `metadata`. */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions): FieldError[] {
  const m = meta ?? ({} as ObjectMeta);
  const nameFn = opts.nameFn ?? isDNS1123Subdomain;
  const errs: FieldError[] = [];
  const generateName = typeof m.generateName === 'string' ? m.generateName : '';
  const name = typeof m.name === 'string' ? m.name : '';
  const namespace = typeof m.namespace === 'string' ? m.namespace : '';
  if (generateName) {
    for (const msg of nameFn(maskTrailingDash(generateName))) errs.push(field.invalid('metadata.generateName', generateName, msg));
  }
  if (!name) errs.push(field.required('metadata.name', 'name or generateName is required'));
  else for (const msg of nameFn(name)) errs.push(field.invalid('metadata.name', name, msg));
  if (opts.namespaced) {
    if (!namespace) errs.push(field.required('metadata.namespace'));
    else for (const msg of isDNS1123Label(namespace)) errs.push(field.invalid('metadata.namespace', namespace, msg));
  } else if (namespace) {
    errs.push(field.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  errs.push(...nonNegative(m.generation, 'metadata.generation'));
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers', opts.builtinFinalizers ?? true));
  return errs;
}

/**
 * ValidateObjectMetaUpdate. Like kube-apiserver, expects metadata.resourceVersion to be filled in (the store
 * copies the current one onto unconditional updates before validating).
 */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, opts: { builtinFinalizers?: boolean } = {}): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const oldSet = new Set(old.finalizers ?? []);
    const extra = [...new Set((meta.finalizers ?? []).filter((f) => !oldSet.has(f)))].sort();
    if (extra.length) {
      errs.push(
        field.forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map(goQuote).join(', ')}}`,
        ),
      );
    }
  }
  if (!meta.resourceVersion) errs.push(field.invalid('metadata.resourceVersion', meta.resourceVersion ?? '', 'must be specified for an update'));
  errs.push(...nonNegative(meta.generation, 'metadata.generation'));
  if ((meta.generation ?? 0) < (old.generation ?? 0)) errs.push(field.invalid('metadata.generation', meta.generation ?? 0, 'must not be decremented'));
  errs.push(...validateImmutableField(meta.name ?? '', old.name ?? '', 'metadata.name'));
  errs.push(...validateImmutableField(meta.namespace ?? '', old.namespace ?? '', 'metadata.namespace'));
  errs.push(...validateImmutableField(meta.uid ?? '', old.uid ?? '', 'metadata.uid'));
  errs.push(...validateImmutableField(meta.creationTimestamp ?? null, old.creationTimestamp ?? null, 'metadata.creationTimestamp'));
  errs.push(...validateImmutableField(meta.deletionTimestamp ?? null, old.deletionTimestamp ?? null, 'metadata.deletionTimestamp'));
  errs.push(
    ...validateImmutableField(meta.deletionGracePeriodSeconds ?? null, old.deletionGracePeriodSeconds ?? null, 'metadata.deletionGracePeriodSeconds'),
  );
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  if (opts.builtinFinalizers ?? true) {
    (meta.finalizers ?? []).forEach((f, i) => {
      const s = String(f);
      if (!s.includes('/') && !STANDARD_FINALIZERS.has(s)) {
        errs.push(field.invalid(`metadata.finalizers[${i}]`, s, 'name is neither a standard finalizer name nor is it fully qualified'));
      }
    });
  }
  return errs;
}
