// Watch fan-out inside the Cluster DO. Each watch is a hibernatable WebSocket to the Worker that
// holds the client's chunked response; its parameters live in the socket's attachment so the hub
// survives DO eviction, and the compiled filters are cached per socket while the DO is awake.
import type { WatchParams } from '../api/call';
import { errors, StatusError, toStatus } from '../api/status';
import { matches, parsePredicate, type Predicate } from '../machinery/predicate';
import { apiVersionOf, storageKey } from '../registry';
import type { Catalog } from './catalog';
import type { KObject, ResourceDef } from '../registry/types';
import type { Store, StoredEvent } from './store';

interface Watcher {
  def: ResourceDef;
  pred: Predicate;
  namespace?: string;
}

/** Bookmarks the Worker asks for (it owns the timer so an idle DO sets no alarm). */
export const BOOKMARK_REQUEST = 'bookmark';

/** Tag on every watch socket (other DO sockets, e.g. exec sessions, are not watches). */
const WATCH_TAG = 'kubedo:watch';

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export class WatchHub {
  private watchers = new WeakMap<WebSocket, Watcher>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly store: Store,
    private readonly catalog: Catalog,
  ) {
    store.onEvent((e) => this.dispatch(e));
  }

  /** Validate a watch request before accepting it; throws a StatusError for bad input. */
  compile(p: WatchParams): Watcher {
    const def = this.catalog.lookup(p.group, p.version, p.resource);
    if (!def || !def.verbs.includes('watch')) throw errors.resourceNotFound();
    const pred = parsePredicate(def, p.labelSelector, p.fieldSelector);
    if (p.sendInitialEvents !== undefined) {
      const errs = [];
      if (p.resourceVersionMatch !== 'NotOlderThan') {
        errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" });
      }
      if (p.sendInitialEvents && !p.allowWatchBookmarks) {
        errs.push({ type: 'FieldValueForbidden', field: 'allowWatchBookmarks', message: 'Forbidden: allowWatchBookmarks must be set to true when sendInitialEvents is true' });
      }
      if (errs.length) throw errors.invalid('ListOptions', 'meta.k8s.io', '', errs);
    } else if (p.resourceVersionMatch) {
      throw errors.invalid('ListOptions', 'meta.k8s.io', '', [
        { type: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden for watch' },
      ]);
    }
    if (p.resourceVersion && !/^\d+$/.test(p.resourceVersion)) throw errors.badRequest(`invalid resource version: "${p.resourceVersion}"`);
    return { def, pred, namespace: def.scope === 'Namespaced' ? p.namespace : undefined };
  }

  /** Accept a watch socket and send what the client must see first (initial state or replay). */
  start(ws: WebSocket, p: WatchParams, w: Watcher): void {
    this.ctx.acceptWebSocket(ws, [storageKey(w.def), WATCH_TAG]);
    ws.serializeAttachment(p);
    this.watchers.set(ws, w);
    const rv = p.resourceVersion ? Number(p.resourceVersion) : 0;
    const now = this.store.revision();
    const initial = p.sendInitialEvents ?? rv === 0;
    if (initial) {
      // Unset or "0" (or sendInitialEvents): the current state as synthetic ADDED events first.
      for (const obj of this.store.list(storageKey(w.def), { namespace: w.namespace })) {
        const view = this.view(w.def, obj);
        if (matches(w.def, w.pred, view)) this.send(ws, 'ADDED', view);
      }
      if (p.sendInitialEvents) this.sendBookmark(ws, w.def, now, true);
      return;
    }
    if (rv === 0) return; // sendInitialEvents=false without a revision: changes from now on
    if (rv < this.store.compactedRevision()) {
      this.sendError(ws, errors.gone(`too old resource version: ${rv} (${this.store.compactedRevision()})`));
      ws.close(1000, 'expired');
      return;
    }
    for (const e of this.store.eventsSince(storageKey(w.def), rv)) this.deliver(ws, w, e);
  }

  /** Watches open now (the sandbox's concurrent-watch limit). */
  active(): number {
    return this.ctx.getWebSockets(WATCH_TAG).length;
  }

  private watcherOf(ws: WebSocket): Watcher | undefined {
    let w = this.watchers.get(ws);
    if (!w) {
      // After hibernation the in-memory cache is gone: rebuild from the attachment.
      const p = ws.deserializeAttachment() as WatchParams | null;
      if (!p) return undefined;
      try {
        w = this.compile(p);
      } catch {
        return undefined;
      }
      this.watchers.set(ws, w);
    }
    return w;
  }

  private dispatch(e: StoredEvent): void {
    for (const ws of this.ctx.getWebSockets(e.resource)) {
      const w = this.watcherOf(ws);
      if (w) this.deliver(ws, w, e);
    }
  }

  /** One stored event to one watcher, with selector transitions as the watch cache does them. */
  private deliver(ws: WebSocket, w: Watcher, e: StoredEvent): void {
    if (w.namespace !== undefined && e.namespace !== w.namespace) return;
    const cur = this.view(w.def, e.object);
    if (e.type === 'DELETED') {
      if (matches(w.def, w.pred, cur)) this.send(ws, 'DELETED', cur);
      return;
    }
    const curMatches = matches(w.def, w.pred, cur);
    if (e.type === 'ADDED') {
      if (curMatches) this.send(ws, 'ADDED', cur);
      return;
    }
    const prev = e.prev ? this.view(w.def, e.prev) : undefined;
    const prevMatches = prev ? matches(w.def, w.pred, prev) : false;
    if (curMatches && prevMatches) this.send(ws, 'MODIFIED', cur);
    else if (curMatches) this.send(ws, 'ADDED', cur);
    else if (prevMatches && prev) {
      // Leaving the selection: DELETED with the previous content at this event's revision.
      prev.metadata.resourceVersion = String(e.rev);
      this.send(ws, 'DELETED', prev);
    }
  }

  private view(def: ResourceDef, stored: KObject): KObject {
    const obj = def.storage?.fromStored ? def.storage.fromStored(structuredClone(stored)) : structuredClone(stored);
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    return obj;
  }

  private send(ws: WebSocket, type: WatchEventType, object: unknown): void {
    try {
      ws.send(JSON.stringify({ type, object }));
    } catch {
      // The Worker side is gone; the close handler cleans up.
    }
  }

  private sendError(ws: WebSocket, err: StatusError): void {
    this.send(ws, 'ERROR', toStatus(err));
  }

  sendBookmark(ws: WebSocket, def: ResourceDef, rev: number, initialEventsEnd = false): void {
    const metadata: Record<string, unknown> = { resourceVersion: String(rev) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    this.send(ws, 'BOOKMARK', { kind: def.kind, apiVersion: apiVersionOf(def), metadata });
  }

  /** The Worker asked for a bookmark: everything up to the current revision was delivered already. */
  onMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (message !== BOOKMARK_REQUEST) return;
    const w = this.watcherOf(ws);
    const p = ws.deserializeAttachment() as WatchParams | null;
    if (w && p?.allowWatchBookmarks) this.sendBookmark(ws, w.def, this.store.revision());
  }
}
