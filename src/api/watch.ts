// The watch relay: the Worker holds the client's chunked response and the Cluster DO pushes events
// over a hibernatable WebSocket. Bookmarks (every 30 s, on request from here so an idle DO keeps no
// alarm) and the watch's end (timeoutSeconds, or 5-10 minutes with jitter) are timed here.
import type { ClusterObject } from '../durable/cluster';
import { WATCH_PARAMS_HEADER } from '../durable/cluster';
import { BOOKMARK_REQUEST } from '../durable/watch-hub';
import type { ResourceDef, KObject } from '../registry/types';
import type { WatchParams } from './call';
import type { Accept } from './negotiation';
import { parseIncludeObject, tableOf } from './tables';

/** How often a watch that allows bookmarks gets one (kube-apiserver: about every minute; we do 30 s). */
export const BOOKMARK_INTERVAL_MS = 30_000;
const MIN_WATCH_MS = 5 * 60_000;

function watchDuration(timeoutSeconds: string | undefined): number {
  const t = Number(timeoutSeconds);
  if (timeoutSeconds !== undefined && Number.isFinite(t) && t > 0) return t * 1000;
  return MIN_WATCH_MS + Math.random() * MIN_WATCH_MS;
}

export async function relayWatch(
  stub: DurableObjectStub<ClusterObject>,
  def: ResourceDef,
  namespace: string | undefined,
  q: Record<string, string>,
  accept: Accept,
  name?: string,
  bookmarkIntervalMs = BOOKMARK_INTERVAL_MS,
  caller: Pick<WatchParams, 'user' | 'impersonate'> = {},
): Promise<Response> {
  let fieldSelector = q.fieldSelector;
  if (name !== undefined) fieldSelector = fieldSelector ? `${fieldSelector},metadata.name=${name}` : `metadata.name=${name}`;
  const params: WatchParams = {
    group: def.group,
    version: def.version,
    resource: def.resource,
    namespace,
    labelSelector: q.labelSelector,
    fieldSelector,
    resourceVersion: q.resourceVersion,
    resourceVersionMatch: q.resourceVersionMatch,
    sendInitialEvents: q.sendInitialEvents === undefined ? undefined : q.sendInitialEvents === 'true',
    allowWatchBookmarks: q.allowWatchBookmarks === 'true' || q.allowWatchBookmarks === '1',
    ...caller,
  };
  const upstream = await stub.fetch('https://cluster/watch', {
    headers: { Upgrade: 'websocket', [WATCH_PARAMS_HEADER]: JSON.stringify(params) },
  });
  const ws = upstream.webSocket;
  if (upstream.status !== 101 || !ws) {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const retryAfter = upstream.headers.get('Retry-After');
    if (retryAfter) headers['Retry-After'] = retryAfter;
    return new Response(upstream.body, { status: upstream.status, headers });
  }
  ws.accept();
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const enc = new TextEncoder();
  const include = parseIncludeObject(q.includeObject);
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(bookmarks);
    clearTimeout(timeout);
    try {
      ws.close(1000, 'watch ended');
    } catch {
      // already closed
    }
    writer.close().catch(() => {});
  };
  const bookmarks = setInterval(() => {
    try {
      ws.send(BOOKMARK_REQUEST);
    } catch {
      finish();
    }
  }, bookmarkIntervalMs);
  const timeout = setTimeout(finish, watchDuration(q.timeoutSeconds));
  ws.addEventListener('message', (ev) => {
    if (closed) return;
    let line = typeof ev.data === 'string' ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer);
    if (accept.table) {
      const e = JSON.parse(line) as { type: string; object: KObject };
      if (e.type !== 'BOOKMARK' && e.type !== 'ERROR') {
        line = JSON.stringify({ type: e.type, object: tableOf(def, [e.object], { resourceVersion: e.object.metadata.resourceVersion }, include) });
      }
    }
    writer.write(enc.encode(`${line}\n`)).catch(finish);
  });
  ws.addEventListener('close', finish);
  ws.addEventListener('error', finish);
  // The client went away: end the DO's side now (it counts against the sandbox's watch limit).
  writer.closed.then(finish, finish);
  // Never compress a watch: gzip buffers events. Cloudflare (and miniflare) leave a response with
  // an explicit identity encoding and no-transform alone.
  return new Response(readable, {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'identity', 'Cache-Control': 'no-cache, private, no-transform' },
  });
}
