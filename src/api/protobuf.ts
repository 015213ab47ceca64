// Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into the JSON
// objects the rest of the server works with. kubectl >= 1.32 and client-go >= 0.32 typed clients send
// built-in kinds this way. Layout (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the 4-byte magic
// `k8s\0`, then a runtime.Unknown {1: TypeMeta{1 apiVersion, 2 kind}, 2: raw, 3: contentEncoding,
// 4: contentType} whose `raw` is the typed message, decoded here with the field tables of protobuf-types.ts.
//
// The JSON produced is what the Go client would have sent as JSON: JSON field names, maps as objects,
// bytes as base64, Time as RFC 3339, IntOrString as number or string, Quantity as string. Fields absent
// from the wire are omitted; a zero value on the wire is kept when the Go field is a pointer or has no
// omitempty (e.g. `replicas: 0`, `optional: false`), and dropped otherwise (gogo writes every non-pointer
// field, so an unset `protocol` arrives as ""; Go's JSON encoder would have omitted it).
import { bytesToBase64 } from '../machinery/base64';
import { StatusError, failure } from './status';
import { WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, WireError, WireReader } from './protobuf-wire';
import { SCALAR_TYPES, SPECIAL_TYPES, getMessage, messageForKind, type FieldDef, type MessageDef } from './protobuf-types';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"
const MAX_DEPTH = 100;
const utf8 = new TextDecoder('utf-8');

export interface DecodedProtobufBody {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/** Whether a protobuf body of this apiVersion/kind can be decoded. */
export function protobufKindSupported(apiVersion: string, kind: string): boolean {
  return messageForKind(apiVersion, kind) !== undefined;
}

/**
 * Decodes a Kubernetes protobuf request body. The returned object carries `apiVersion` and `kind` from
 * the envelope (or from `fallback` when the envelope has none).
 * Throws StatusError: 415 UnsupportedMediaType for a kind without a table, 400 BadRequest for anything
 * that is not well-formed Kubernetes protobuf.
 */
export function decodeProtobufBody(bytes: Uint8Array, fallback?: { apiVersion?: string; kind?: string }): DecodedProtobufBody {
  try {
    return decodeEnvelope(bytes, fallback, 0);
  } catch (e) {
    if (e instanceof StatusError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw badRequest(`the body of the request could not be decoded as ${PROTOBUF_CONTENT_TYPE}: ${detail}`);
  }
}

/** Decodes one message (without envelope) of a table message id into JSON. Throws like decodeProtobufBody. */
export function decodeProtobufMessage(bytes: Uint8Array, messageId: string): Record<string, unknown> {
  const def = getMessage(messageId);
  if (!def) throw new StatusError(failure(500, 'InternalError', `Internal error occurred: no protobuf definition for ${messageId}`));
  try {
    return decodeMessage(bytes, def, 0) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof StatusError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw badRequest(`the body of the request could not be decoded as ${PROTOBUF_CONTENT_TYPE}: ${detail}`);
  }
}

function badRequest(message: string): StatusError {
  return new StatusError(failure(400, 'BadRequest', message));
}

function unsupported(apiVersion: string, kind: string, why?: string): StatusError {
  const gvk = `${apiVersion.includes('/') ? apiVersion : `/${apiVersion}`}, Kind=${kind}`;
  return new StatusError(
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${PROTOBUF_CONTENT_TYPE} (${why ?? `protobuf decoding of ${gvk} is not supported`})`,
      { causes: [{ reason: 'UnsupportedMediaType', message: PROTOBUF_CONTENT_TYPE }] },
    ),
  );
}

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new WireError(`wrong wire type ${actual} for ${what}`);
}

function decodeEnvelope(bytes: Uint8Array, fallback: { apiVersion?: string; kind?: string } | undefined, depth: number): DecodedProtobufBody {
  if (!(bytes instanceof Uint8Array)) throw new WireError('body is not binary');
  if (!hasMagic(bytes)) throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]`);
  const r = new WireReader(bytes, 4);
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  let contentEncoding = '';
  let contentType = '';
  while (!r.eof()) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: {
        expectWire(wire, WIRE_BYTES, 'runtime.Unknown.typeMeta');
        const tm = r.sub();
        while (!tm.eof()) {
          const t = tm.tag();
          if (t.field === 1 || t.field === 2) {
            expectWire(t.wire, WIRE_BYTES, 'runtime.TypeMeta');
            if (t.field === 1) apiVersion = tm.string();
            else kind = tm.string();
          } else tm.skip(t.wire, t.field);
        }
        break;
      }
      case 2:
        expectWire(wire, WIRE_BYTES, 'runtime.Unknown.raw');
        raw = r.bytes();
        break;
      case 3:
        expectWire(wire, WIRE_BYTES, 'runtime.Unknown.contentEncoding');
        contentEncoding = r.string();
        break;
      case 4:
        expectWire(wire, WIRE_BYTES, 'runtime.Unknown.contentType');
        contentType = r.string();
        break;
      default:
        r.skip(wire, field);
    }
  }
  apiVersion ||= fallback?.apiVersion ?? '';
  kind ||= fallback?.kind ?? '';
  if (!kind) throw badRequest(`Object 'Kind' is missing in the ${PROTOBUF_CONTENT_TYPE} body`);
  if (!apiVersion) throw badRequest(`Object 'apiVersion' is missing in the ${PROTOBUF_CONTENT_TYPE} body`);
  if (contentEncoding) throw unsupported(apiVersion, kind, `content encoding ${JSON.stringify(contentEncoding)} is not supported`);

  const ct = contentType.split(';')[0].trim().toLowerCase();
  let object: Record<string, unknown>;
  if (ct === 'application/json') {
    const parsed = parseJSON(raw, 'embedded JSON');
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new WireError('embedded JSON is not an object');
    object = parsed as Record<string, unknown>;
  } else if (ct === '' || ct === PROTOBUF_CONTENT_TYPE) {
    const id = messageForKind(apiVersion, kind);
    const def = id ? getMessage(id) : undefined;
    if (!def) throw unsupported(apiVersion, kind);
    object = decodeMessage(raw, def, depth) as Record<string, unknown>;
  } else {
    throw unsupported(apiVersion, kind, `embedded content type ${JSON.stringify(contentType)} is not supported`);
  }
  const out: Record<string, unknown> = { apiVersion, kind };
  for (const [k, v] of Object.entries(object)) if (k !== 'apiVersion' && k !== 'kind') setKey(out, k, v);
  return { apiVersion, kind, object: out };
}

// ---- messages ---------------------------------------------------------------------------------------

interface Slot {
  /** last scalar value (non-repeated scalars) */
  value?: unknown;
  set?: boolean;
  /** repeated values */
  list?: unknown[];
  /** length-delimited segments of a non-repeated message field; concatenated = proto merge semantics */
  segs?: Uint8Array[];
  /** map entries */
  map?: Record<string, unknown>;
}

function isMessageType(type: string): boolean {
  return !SCALAR_TYPES.has(type);
}

function wireOf(type: string): number {
  switch (type) {
    case 'x32':
    case 'f32':
      return WIRE_FIXED32;
    case 'x64':
    case 'f64':
      return WIRE_FIXED64;
    case 's':
    case 'by':
      return WIRE_BYTES;
    default:
      return SCALAR_TYPES.has(type) ? WIRE_VARINT : WIRE_BYTES;
  }
}

function readScalar(r: WireReader, type: string): unknown {
  switch (type) {
    case 's':
      return r.string();
    case 'by':
      return bytesToBase64(r.bytes());
    case 'b':
      return r.bool();
    case 'i32':
      return r.int32();
    case 'i64':
      return r.int64();
    case 'u32':
      return r.uint32();
    case 'u64':
      return r.uint64();
    case 'si32':
      return r.sint32();
    case 'si64':
      return r.sint64();
    case 'x32':
      return r.fixed32();
    case 'x64':
      return r.fixed64();
    case 'f32':
      return r.float();
    case 'f64':
      return r.double();
    default:
      throw new WireError(`unknown scalar type ${type}`);
  }
}

function zeroScalar(type: string): unknown {
  if (type === 's' || type === 'by') return '';
  if (type === 'b') return false;
  return 0;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function concat(segs: Uint8Array[]): Uint8Array {
  if (segs.length === 1) return segs[0];
  const out = new Uint8Array(segs.reduce((n, s) => n + s.length, 0));
  let o = 0;
  for (const s of segs) {
    out.set(s, o);
    o += s.length;
  }
  return out;
}

/** Decodes a value of a message-like type (table message or special type). undefined = null in JSON. */
function decodeTyped(bytes: Uint8Array, type: string, depth: number): unknown {
  if (SPECIAL_TYPES.has(type)) return decodeSpecial(bytes, type, depth);
  const def = getMessage(type);
  if (!def) throw new WireError(`no protobuf definition for ${type}`);
  return decodeMessage(bytes, def, depth);
}

function decodeMessage(bytes: Uint8Array, def: MessageDef, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new WireError('message nesting too deep');
  const r = new WireReader(bytes);
  const slots = new Map<FieldDef, Slot>();
  while (!r.eof()) {
    const { field, wire } = r.tag();
    const f = def.byNum.get(field);
    if (!f) {
      r.skip(wire, field);
      continue;
    }
    let slot = slots.get(f);
    if (!slot) slots.set(f, (slot = {}));
    const what = `field ${f.json} of ${def.id}`;
    if (f.mapKey) {
      expectWire(wire, WIRE_BYTES, what);
      const [k, v] = readMapEntry(r.sub(), f, depth, what);
      setKey((slot.map ??= {}), k, v);
    } else if (isMessageType(f.type)) {
      expectWire(wire, WIRE_BYTES, what);
      if (f.repeated) {
        const v = decodeTyped(r.bytes(), f.type, depth + 1);
        (slot.list ??= []).push(v === undefined ? null : v);
      } else (slot.segs ??= []).push(r.bytes());
    } else if (f.repeated) {
      const expected = wireOf(f.type);
      const list = (slot.list ??= []);
      if (wire === WIRE_BYTES && expected !== WIRE_BYTES) {
        const p = r.sub(); // packed
        while (!p.eof()) list.push(readScalar(p, f.type));
      } else {
        expectWire(wire, expected, what);
        list.push(readScalar(r, f.type));
      }
    } else {
      expectWire(wire, wireOf(f.type), what);
      slot.value = readScalar(r, f.type);
      slot.set = true;
    }
  }

  if (def.wrapper) {
    const f = def.fields[0];
    return (f && slots.get(f)?.list) ?? [];
  }

  const out: Record<string, unknown> = {};
  for (const f of def.fields) {
    const slot = slots.get(f);
    if (!slot) continue;
    if (slot.map) {
      setKey(out, f.json, slot.map);
    } else if (slot.list) {
      if (slot.list.length) setKey(out, f.json, slot.list);
    } else if (slot.segs) {
      const v = decodeTyped(concat(slot.segs), f.type, depth + 1);
      if (v === undefined) continue;
      if (f.inline && v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, x] of Object.entries(v)) setKey(out, k, x);
        continue;
      }
      // A non-pointer IntOrString with omitempty that is int 0 is how Go writes "unset" (e.g. targetPort).
      if (!f.keep && f.type === 'intstr' && v === 0) continue;
      setKey(out, f.json, v);
    } else if (slot.set) {
      if (!f.keep && isZero(slot.value)) continue;
      setKey(out, f.json, slot.value);
    }
  }
  return out;
}

function readMapEntry(r: WireReader, f: FieldDef, depth: number, what: string): [string, unknown] {
  const keyType = f.mapKey!;
  let key: unknown = zeroScalar(keyType);
  let scalar: unknown;
  let scalarSet = false;
  const segs: Uint8Array[] = [];
  while (!r.eof()) {
    const t = r.tag();
    if (t.field === 1) {
      expectWire(t.wire, wireOf(keyType), `key of ${what}`);
      key = readScalar(r, keyType);
    } else if (t.field === 2) {
      if (isMessageType(f.type)) {
        expectWire(t.wire, WIRE_BYTES, `value of ${what}`);
        segs.push(r.bytes());
      } else {
        expectWire(t.wire, wireOf(f.type), `value of ${what}`);
        scalar = readScalar(r, f.type);
        scalarSet = true;
      }
    } else r.skip(t.wire, t.field);
  }
  let value: unknown;
  if (isMessageType(f.type)) {
    value = decodeTyped(concat(segs.length ? segs : [new Uint8Array(0)]), f.type, depth + 1);
    if (value === undefined) value = null;
  } else value = scalarSet ? scalar : zeroScalar(f.type);
  return [String(key), value];
}

// ---- special types (custom JSON in apimachinery) -----------------------------------------------------

function decodeSpecial(bytes: Uint8Array, type: string, depth: number): unknown {
  switch (type) {
    case 'time':
    case 'microtime': {
      // meta/v1.Time / MicroTime {1 seconds, 2 nanos}; empty = zero time = null. Time drops the nanos.
      if (bytes.length === 0) return undefined;
      let seconds = 0;
      let nanos = 0;
      const r = new WireReader(bytes);
      while (!r.eof()) {
        const t = r.tag();
        if (t.field === 1) {
          expectWire(t.wire, WIRE_VARINT, `seconds of ${type}`);
          seconds = r.int64();
        } else if (t.field === 2) {
          expectWire(t.wire, WIRE_VARINT, `nanos of ${type}`);
          nanos = r.int32();
        } else r.skip(t.wire, t.field);
      }
      if (type === 'time') return formatTime(seconds, -1);
      // MicroTime truncates nanos toward zero to microseconds, then normalizes like time.Unix.
      const micros = Math.trunc(nanos / 1000);
      return formatTime(seconds + Math.floor(micros / 1e6), ((micros % 1e6) + 1e6) % 1e6);
    }
    case 'duration': {
      let d = 0n;
      const r = new WireReader(bytes);
      while (!r.eof()) {
        const t = r.tag();
        if (t.field === 1) {
          expectWire(t.wire, WIRE_VARINT, 'duration');
          d = r.int64Big();
        } else r.skip(t.wire, t.field);
      }
      return formatDuration(d);
    }
    case 'quantity': {
      let s = '';
      const r = new WireReader(bytes);
      while (!r.eof()) {
        const t = r.tag();
        if (t.field === 1) {
          expectWire(t.wire, WIRE_BYTES, 'quantity');
          s = r.string();
        } else r.skip(t.wire, t.field);
      }
      return s || '0';
    }
    case 'intstr': {
      let kind = 0;
      let intVal = 0;
      let strVal = '';
      const r = new WireReader(bytes);
      while (!r.eof()) {
        const t = r.tag();
        if (t.field === 1) {
          expectWire(t.wire, WIRE_VARINT, 'IntOrString.type');
          kind = r.int64();
        } else if (t.field === 2) {
          expectWire(t.wire, WIRE_VARINT, 'IntOrString.intVal');
          intVal = r.int32();
        } else if (t.field === 3) {
          expectWire(t.wire, WIRE_BYTES, 'IntOrString.strVal');
          strVal = r.string();
        } else r.skip(t.wire, t.field);
      }
      return kind === 1 ? strVal : intVal;
    }
    case 'raw':
    case 'fieldsv1': {
      // runtime.RawExtension {1 raw} / meta/v1.FieldsV1 {1 Raw}: the bytes are JSON (or, for an embedded
      // object, a nested protobuf envelope). Empty = null.
      let raw: Uint8Array = new Uint8Array(0);
      const r = new WireReader(bytes);
      while (!r.eof()) {
        const t = r.tag();
        if (t.field === 1) {
          expectWire(t.wire, WIRE_BYTES, type);
          raw = r.bytes();
        } else r.skip(t.wire, t.field);
      }
      if (raw.length === 0) return undefined;
      if (type === 'raw' && hasMagic(raw)) return decodeEnvelope(raw, undefined, depth + 1).object;
      return parseJSON(raw, type === 'raw' ? 'RawExtension' : 'FieldsV1');
    }
    default:
      throw new WireError(`unknown special type ${type}`);
  }
}

function parseJSON(raw: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(utf8.decode(raw));
  } catch {
    throw new WireError(`${what} does not hold valid JSON`);
  }
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** RFC 3339 in UTC as Go's metav1.Time (seconds) or MicroTime (6 fractional digits when micros >= 0). */
function formatTime(seconds: number, micros: number): string {
  const d = new Date(seconds * 1000);
  const y = d.getUTCFullYear();
  if (Number.isNaN(y) || y < 0 || y > 9999) throw new WireError('time out of range: year outside of [0,9999]');
  const base = `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return micros >= 0 ? `${base}.${pad(micros, 6)}Z` : `${base}Z`;
}

/** time.Duration.String() of Go: "1h0m0s", "1m30s", "1.5s", "1.5ms", "2µs", "500ns", "0s". */
export function formatDuration(d: bigint): string {
  if (d === 0n) return '0s';
  const sign = d < 0n ? '-' : '';
  let u = d < 0n ? -d : d;
  const frac = (v: bigint, prec: number): [string, bigint] => {
    let digits = '';
    let print = false;
    for (let i = 0; i < prec; i++) {
      const digit = v % 10n;
      print ||= digit !== 0n;
      if (print) digits = digit.toString() + digits;
      v /= 10n;
    }
    return [print ? `.${digits}` : '', v];
  };
  if (u < 1_000_000_000n) {
    if (u < 1000n) return `${sign}${u}ns`;
    const [unit, prec]: [string, number] = u < 1_000_000n ? ['µs', 3] : ['ms', 6];
    const [f, ip] = frac(u, prec);
    return `${sign}${ip}${f}${unit}`;
  }
  const [f, secs] = frac(u, 9);
  let out = `${secs % 60n}${f}s`;
  u = secs / 60n;
  if (u > 0n) {
    out = `${u % 60n}m${out}`;
    u /= 60n;
    if (u > 0n) out = `${u}h${out}`;
  }
  return sign + out;
}

