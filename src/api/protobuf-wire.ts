// A minimal protobuf wire-format reader (https://protobuf.dev/programming-guides/encoding/), enough to
// decode the proto2 messages Kubernetes clients send. No code generation (Workers forbid `new Function`).
// Every read is bounds-checked; truncated or malformed input throws WireError.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** Malformed or truncated protobuf input. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

const TWO_32 = 4294967296;
const utf8 = new TextDecoder('utf-8');

export class WireReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    if (start < 0 || end > buf.length || start > end) throw new WireError('invalid buffer bounds');
    this.pos = start;
    this.end = end;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new WireError('unexpected end of input');
    return this.buf[this.pos++];
  }

  /** Reads a varint as two unsigned 32-bit halves [lo, hi]. At most 10 bytes. */
  varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      b = this.byte();
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return [lo >>> 0, 0];
    }
    b = this.byte();
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b < 0x80) return [lo >>> 0, hi >>> 0];
    for (let shift = 3; shift <= 31; shift += 7) {
      b = this.byte();
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        if (shift === 31 && b > 1) throw new WireError('varint overflows 64 bits');
        return [lo >>> 0, hi >>> 0];
      }
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** Unsigned varint as a number (exact up to 2^53). */
  uint64(): number {
    const [lo, hi] = this.varint64();
    return hi * TWO_32 + lo;
  }

  /** Two's complement int64 varint as a number (exact within ±2^53). */
  int64(): number {
    const [lo, hi] = this.varint64();
    return (hi | 0) * TWO_32 + lo;
  }

  /** int64 varint as an exact bigint. */
  int64Big(): bigint {
    const [lo, hi] = this.varint64();
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  /** int32 (negative values arrive sign-extended to 10 bytes). */
  int32(): number {
    return this.varint64()[0] | 0;
  }

  uint32(): number {
    return this.varint64()[0];
  }

  sint32(): number {
    const n = this.varint64()[0];
    return (n >>> 1) ^ -(n & 1);
  }

  sint64(): number {
    const [lo, hi] = this.varint64();
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    return Number((v >> 1n) ^ -(v & 1n));
  }

  bool(): boolean {
    const [lo, hi] = this.varint64();
    return lo !== 0 || hi !== 0;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new WireError('unexpected end of input');
  }

  fixed32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  sfixed32(): number {
    return this.fixed32() | 0;
  }

  fixed64(): number {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return hi * TWO_32 + lo;
  }

  sfixed64(): number {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return (hi | 0) * TWO_32 + lo;
  }

  float(): number {
    this.need(4);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  /** Length prefix of a length-delimited field, checked against the remaining input. */
  length(): number {
    const [lo, hi] = this.varint64();
    if (hi !== 0 || lo > this.end - this.pos) throw new WireError('length-delimited field exceeds input');
    return lo;
  }

  /** A length-delimited payload as a view into the buffer (no copy). */
  bytes(): Uint8Array {
    const n = this.length();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** A reader over the next length-delimited payload; advances past it. */
  sub(): WireReader {
    const n = this.length();
    const r = new WireReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Reads a field key. Field number 0 and wire types 6/7 are rejected. */
  tag(): { field: number; wire: number } {
    const [lo, hi] = this.varint64();
    if (hi !== 0) throw new WireError('field number out of range');
    const field = lo >>> 3;
    const wire = lo & 7;
    if (field === 0) throw new WireError('illegal field number 0');
    if (wire > 5) throw new WireError(`illegal wire type ${wire}`);
    return { field, wire };
  }

  /** Skips the value of a field with the given wire type (groups included). */
  skip(wire: number, field = 0, depth = 0): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_BYTES: {
        const n = this.length(); // read before updating pos: `pos += length()` would use the old pos
        this.pos += n;
        return;
      }
      case WIRE_FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      case WIRE_START_GROUP: {
        if (depth > 64) throw new WireError('groups nested too deeply');
        for (;;) {
          const t = this.tag();
          if (t.wire === WIRE_END_GROUP) {
            if (t.field !== field) throw new WireError('mismatched end group');
            return;
          }
          this.skip(t.wire, t.field, depth + 1);
        }
      }
      case WIRE_END_GROUP:
        throw new WireError('unexpected end group');
      default:
        throw new WireError(`illegal wire type ${wire}`);
    }
  }
}
