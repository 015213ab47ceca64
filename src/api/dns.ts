// The sandbox's cluster DNS over HTTPS: /clusters/{id}/dns-query answers RFC 8484 wire-format
// queries (GET ?dns=<base64url>, POST application/dns-message) and the JSON form of Google's and
// Cloudflare's resolvers (GET ?name=&type=). The sandbox's DO resolves; this module only encodes.
import * as packet from 'dns-packet';
import { Buffer } from 'node:buffer';
import type { Context } from 'hono';
import type { Env } from '../env';
import type { DnsAnswer, DnsRecord, Rcode } from '../network/dns';
import type { ClusterVars } from './routes';
import { errors, StatusError, toStatus } from './status';

type Ctx = Context<{ Bindings: Env; Variables: ClusterVars }>;

const DNS_MESSAGE = 'application/dns-message';
const DNS_JSON = 'application/dns-json';

/** Record type mnemonics and numbers (RFC 1035, 3596, 2782; ANY is 255). */
const TYPE_NUMBERS: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 };
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPE_NUMBERS).map(([k, v]) => [v, k]));
const RCODE_NUMBERS: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

const FLAG_AA = 1 << 10;
const FLAG_RD = 1 << 8;
const FLAG_RA = 1 << 7;

/**
 * A query type as the resolver names it: a mnemonic we know, or a number (JSON form) mapped to one
 * (`TYPE<n>` for the others, RFC 3597); undefined when it is neither.
 */
export function typeName(t: string | number): string | undefined {
  const s = String(t).trim().toUpperCase();
  if (/^\d{1,5}$/.test(s)) {
    const n = Number(s);
    return n >= 1 && n <= 65535 ? (TYPE_NAMES[n] ?? `TYPE${n}`) : undefined;
  }
  if (s in TYPE_NUMBERS) return s;
  return /^TYPE\d{1,5}$/.test(s) && typeName(s.slice(4)) ? s : undefined;
}

function typeNumber(t: string): number {
  return TYPE_NUMBERS[t] ?? (Number(/^TYPE(\d+)$/.exec(t)?.[1]) || 0);
}

/** Whether the answer comes from the zones CoreDNS is authoritative for (its SOA shows which). */
function authoritative(a: DnsAnswer): boolean {
  return a.answers.length > 0 || a.authority.some((r) => r.type === 'SOA');
}

/** How long a client may cache: the smallest TTL in the answer (RFC 8484 §5.1), or the SOA's. */
function maxAge(a: DnsAnswer): number | undefined {
  const ttls = (a.answers.length ? a.answers : a.authority).map((r) => r.ttl);
  return ttls.length ? Math.min(...ttls) : undefined;
}

function bare(name: string): string {
  return name === '.' ? '.' : name.replace(/\.$/, '');
}

/** Our presentation-format record as a dns-packet answer. */
function wireRecord(r: DnsRecord): packet.Answer {
  const base = { name: bare(r.name), ttl: r.ttl, class: 'IN' as const };
  switch (r.type) {
    case 'SRV': {
      const [priority, weight, port, target] = r.data.split(' ');
      return { ...base, type: 'SRV', data: { priority: Number(priority), weight: Number(weight), port: Number(port), target: bare(target) } };
    }
    case 'SOA': {
      const [mname, rname, serial, refresh, retry, expire, minimum] = r.data.split(' ');
      return {
        ...base,
        type: 'SOA',
        data: { mname: bare(mname), rname: bare(rname), serial: Number(serial), refresh: Number(refresh), retry: Number(retry), expire: Number(expire), minimum: Number(minimum) },
      };
    }
    case 'TXT':
      return { ...base, type: 'TXT', data: [Buffer.from(r.data.replace(/^"|"$/g, ''))] };
    case 'A':
    case 'AAAA':
      return { ...base, type: r.type, data: r.data };
    default:
      return { ...base, type: r.type, data: bare(r.data) };
  }
}

/** The RFC 8484 response to a decoded query. */
export function wireResponse(query: packet.Packet, a: DnsAnswer): Uint8Array {
  const rd = (query.flags ?? 0) & FLAG_RD;
  const additionals: packet.Answer[] = a.additional.map(wireRecord);
  // Answer EDNS with EDNS, as CoreDNS does.
  if (query.additionals?.some((r) => r.type === 'OPT')) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
  return packet.encode({
    type: 'response',
    id: query.id ?? 0,
    flags: (authoritative(a) ? FLAG_AA : 0) | rd | FLAG_RA | RCODE_NUMBERS[a.rcode],
    questions: query.questions ?? [],
    answers: a.answers.map(wireRecord),
    authorities: a.authority.map(wireRecord),
    additionals,
  });
}

/** The JSON form (Google's/Cloudflare's schema). */
export function jsonResponse(name: string, type: string, a: DnsAnswer): object {
  const rr = (r: DnsRecord) => ({ name: r.name, type: typeNumber(r.type), TTL: r.ttl, data: r.data });
  const out: Record<string, unknown> = {
    Status: RCODE_NUMBERS[a.rcode],
    TC: false,
    RD: true,
    RA: true,
    AD: false,
    CD: false,
    Question: [{ name: name.endsWith('.') ? name : `${name}.`, type: typeNumber(type) }],
  };
  if (a.answers.length) out.Answer = a.answers.map(rr);
  if (a.authority.length) out.Authority = a.authority.map(rr);
  if (a.additional.length) out.Additional = a.additional.map(rr);
  return out;
}

function base64url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw errors.badRequest('the dns parameter is not base64url');
  return Buffer.from(s, 'base64url');
}

function decodeQuery(bytes: Uint8Array): packet.Packet & { questions: packet.Question[] } {
  let q: packet.Packet;
  try {
    q = packet.decode(Buffer.from(bytes));
  } catch {
    throw errors.badRequest('malformed DNS message');
  }
  if (q.type !== 'query' || !q.questions?.length) throw errors.badRequest('the DNS message has no question');
  return q as packet.Packet & { questions: packet.Question[] };
}

const MAX_MESSAGE = 65535;

/** GET/POST /clusters/{id}/dns-query. */
export async function dnsQueryRequest(c: Ctx): Promise<Response> {
  try {
    const url = new URL(c.req.url);
    const method = c.req.method;
    if (method === 'GET' && url.searchParams.has('name')) {
      const name = url.searchParams.get('name') ?? '';
      const type = typeName(url.searchParams.get('type') || 'A');
      if (!name || name.length > 253) throw errors.badRequest('the name parameter must be a domain name');
      if (!type) throw errors.badRequest(`unknown record type ${JSON.stringify(url.searchParams.get('type'))}`);
      const answer = await c.var.stub.dnsQuery(name, type);
      const headers: Record<string, string> = { 'Content-Type': DNS_JSON };
      const age = maxAge(answer);
      if (age !== undefined) headers['Cache-Control'] = `max-age=${age}`;
      return new Response(JSON.stringify(jsonResponse(name, type, answer)), { headers });
    }
    let bytes: Uint8Array;
    if (method === 'GET') {
      const dns = url.searchParams.get('dns');
      if (dns === null) throw errors.badRequest('expected a dns (RFC 8484) or name (JSON) parameter');
      bytes = base64url(dns);
    } else if (method === 'POST') {
      const ct = (c.req.header('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
      if (ct !== DNS_MESSAGE) throw errors.unsupportedMediaType(ct);
      bytes = new Uint8Array(await c.req.arrayBuffer());
    } else {
      throw errors.methodNotAllowed();
    }
    if (bytes.length > MAX_MESSAGE) throw errors.badRequest('the DNS message is too large');
    const query = decodeQuery(bytes);
    const question = query.questions[0];
    const answer = await c.var.stub.dnsQuery(question.name, String(question.type));
    const headers: Record<string, string> = { 'Content-Type': DNS_MESSAGE };
    const age = maxAge(answer);
    if (age !== undefined) headers['Cache-Control'] = `max-age=${age}`;
    return new Response(wireResponse(query, answer), { headers });
  } catch (e) {
    const s = toStatus(e);
    if (!(e instanceof StatusError)) console.error('kubedo: dns-query failed', e);
    return new Response(JSON.stringify(s), { status: s.code, headers: { 'Content-Type': 'application/json' } });
  }
}
