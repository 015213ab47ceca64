// Compact in-memory projections of the store, fed by its events and rebuilt lazily after an
// eviction: never whole objects, only what hot paths need (which pods sit on which node, their IPs
// and requests), so that scheduling and IP allocation stay O(changes) rather than O(cluster).
import type { KObject } from '../registry/types';
import type { Store, StoredEvent } from './store';

export interface PodEntry {
  key: string; // namespace/name
  nodeName: string;
  podIP?: string;
  terminal: boolean;
}

export class PodsByNode {
  private byKey = new Map<string, PodEntry>();
  private byNode = new Map<string, Map<string, PodEntry>>();
  private loaded = false;

  constructor(private readonly store: Store) {
    store.onEvent((e) => {
      if (this.loaded && e.resource === 'pods') this.apply(e);
    });
  }

  private load(): void {
    if (this.loaded) return;
    for (const p of this.store.list('pods')) this.put(p);
    this.loaded = true;
  }

  private apply(e: StoredEvent): void {
    const key = `${e.namespace}/${e.name}`;
    this.remove(key);
    if (e.type !== 'DELETED') this.put(e.object);
  }

  private put(p: KObject): void {
    const nodeName = (p.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName) return;
    const status = (p.status ?? {}) as { podIP?: string; phase?: string };
    const entry: PodEntry = {
      key: `${p.metadata.namespace}/${p.metadata.name}`,
      nodeName,
      podIP: status.podIP,
      terminal: status.phase === 'Succeeded' || status.phase === 'Failed',
    };
    this.byKey.set(entry.key, entry);
    let m = this.byNode.get(nodeName);
    if (!m) this.byNode.set(nodeName, (m = new Map()));
    m.set(entry.key, entry);
  }

  private remove(key: string): void {
    const old = this.byKey.get(key);
    if (!old) return;
    this.byKey.delete(key);
    this.byNode.get(old.nodeName)?.delete(key);
  }

  /** Keys (namespace/name) of the pods bound to a node. */
  podsOn(nodeName: string): PodEntry[] {
    this.load();
    return [...(this.byNode.get(nodeName)?.values() ?? [])];
  }

  /** IPs in use on a node (terminal pods keep theirs until deleted, like host-local IPAM). */
  ipsOn(nodeName: string): Set<string> {
    const out = new Set<string>();
    for (const e of this.podsOn(nodeName)) if (e.podIP) out.add(e.podIP);
    return out;
  }
}
