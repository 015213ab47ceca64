// Which service or endpoint owns an IP, for the cluster DNS's PTR answers: a compact map fed by the
// store's events, built on the first reverse query (a sandbox nobody asks pays nothing).
import type { StoredEvent } from '../durable/store';
import type { KObject } from '../registry/types';
import { IP_OWNER_RESOURCES, ipOwnersOf, type IpOwner } from './dns';

interface Source {
  list(resource: string): Iterable<KObject>;
}

export class DnsIpIndex {
  /** ip → (object key → owner). */
  private byIP = new Map<string, Map<string, IpOwner>>();
  /** object key → the IPs it contributed. */
  private byObject = new Map<string, string[]>();
  private loaded = false;

  constructor(private readonly source: Source) {}

  /** Feed a committed change (ignored until the index is first used). */
  onEvent(e: StoredEvent): void {
    if (!this.loaded || !(IP_OWNER_RESOURCES as readonly string[]).includes(e.resource)) return;
    const key = `${e.resource}/${e.namespace}/${e.name}`;
    this.remove(key);
    if (e.type !== 'DELETED') this.put(e.resource, key, e.object);
  }

  ownersOf(ip: string): IpOwner[] {
    this.load();
    return [...(this.byIP.get(ip)?.values() ?? [])];
  }

  private load(): void {
    if (this.loaded) return;
    for (const resource of IP_OWNER_RESOURCES) {
      for (const obj of this.source.list(resource)) this.put(resource, `${resource}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, obj);
    }
    this.loaded = true;
  }

  private put(resource: string, key: string, obj: KObject): void {
    const pairs = ipOwnersOf(resource, obj);
    if (!pairs.length) return;
    this.byObject.set(key, pairs.map((p) => p.ip));
    for (const { ip, owner } of pairs) {
      let m = this.byIP.get(ip);
      if (!m) this.byIP.set(ip, (m = new Map()));
      // One object may list an IP twice (several ports or subsets): keep one owner per object and name.
      m.set(`${key}#${owner.kind === 'endpoint' ? owner.hostname : ''}`, owner);
    }
  }

  private remove(key: string): void {
    const ips = this.byObject.get(key);
    if (!ips) return;
    this.byObject.delete(key);
    for (const ip of ips) {
      const m = this.byIP.get(ip);
      if (!m) continue;
      for (const k of [...m.keys()]) if (k.startsWith(`${key}#`)) m.delete(k);
      if (!m.size) this.byIP.delete(ip);
    }
  }
}
