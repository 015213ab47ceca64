// Content negotiation: request bodies in (JSON, YAML, protobuf), responses out
// (JSON, YAML, or a meta.k8s.io Table when kubectl asks for one).
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { PatchType } from './call';
import { decodeProtobufBody, PROTOBUF_CONTENT_TYPE } from './protobuf';
import { errors } from './status';

/** kube-apiserver's default limit on a request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export function mediaType(header: string | null | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** Read a body with the size limit enforced while streaming (413 past it). */
export async function readBody(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return all;
}

function tooLarge() {
  return errors.requestEntityTooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`);
}

/** Decode a request body by its Content-Type. */
export function decodeBody(bytes: Uint8Array, contentType: string | null, patch: boolean): unknown {
  const mt = mediaType(contentType);
  if (mt === PROTOBUF_CONTENT_TYPE && !patch) return bytes.byteLength ? decodeProtobufBody(bytes).object : undefined;
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') return undefined;
  const jsonLike = mt === '' || mt === 'application/json' || (patch && (mt === 'application/json-patch+json' || mt === 'application/merge-patch+json' || mt === 'application/strategic-merge-patch+json'));
  if (jsonLike) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  if (mt === 'application/yaml' || mt === 'application/apply-patch+yaml') {
    try {
      const docs = parseYamlStrict(text);
      return docs;
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw errors.unsupportedMediaType(mt);
}

function parseYamlStrict(text: string): unknown {
  return parseYaml(text, { strict: true, uniqueKeys: true, prettyErrors: false });
}

export interface Accept {
  table: boolean;
  yaml: boolean;
  /** The client takes nothing we can produce (only protobuf, say). */
  unacceptable: boolean;
}

/** Parse an Accept header the way kube-apiserver's negotiation picks among what it offers. */
export function negotiate(header: string | null | undefined): Accept {
  const h = header ?? '';
  if (!h.trim()) return { table: false, yaml: false, unacceptable: false };
  const ranges = h.split(',').map((r) => {
    const [type, ...params] = r.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim().toLowerCase()] = kv.slice(i + 1).trim();
    }
    return { type: type.toLowerCase(), p };
  });
  for (const r of ranges) {
    if (r.p.as === 'Table' && (r.p.g === 'meta.k8s.io') && (r.p.v === 'v1' || r.p.v === 'v1beta1') && (r.type === 'application/json' || r.type === '*/*')) {
      return { table: true, yaml: false, unacceptable: false };
    }
    if (r.p.as) continue; // other transformations (PartialObjectMetadata) we don't offer: try the next range
    if (r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*') return { table: false, yaml: false, unacceptable: false };
    if (r.type === 'application/yaml') return { table: false, yaml: true, unacceptable: false };
  }
  return { table: false, yaml: false, unacceptable: true };
}

export function encode(body: unknown, status: number, accept: Accept, headers: Record<string, string> = {}): Response {
  if (accept.yaml) {
    return new Response(stringifyYaml(body), { status, headers: { ...headers, 'Content-Type': 'application/yaml' } });
  }
  return new Response(JSON.stringify(body), { status, headers: { ...headers, 'Content-Type': 'application/json' } });
}
