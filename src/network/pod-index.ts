// The pods of each namespace as the endpoint controllers see them: a slim copy (labels, IP, phase,
// readiness, node, hostname, container ports) kept current from store events and loaded lazily,
// so that recomputing a Service's endpoints reads memory instead of parsing every pod from SQLite.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Store, StoredEvent } from '../durable/store';
import type { KObject } from '../registry/types';

function slim(obj: KObject): Pod {
  const p = obj as unknown as Pod;
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace, uid: p.metadata?.uid, labels: p.metadata?.labels, deletionTimestamp: p.metadata?.deletionTimestamp },
    spec: {
      nodeName: p.spec?.nodeName,
      hostname: p.spec?.hostname,
      subdomain: p.spec?.subdomain,
      containers: (p.spec?.containers ?? []).map((c) => ({ name: c.name, ports: c.ports?.map((q) => ({ name: q.name, containerPort: q.containerPort, protocol: q.protocol })) })),
    },
    status: { podIP: p.status?.podIP, phase: p.status?.phase, conditions: ready ? [{ type: 'Ready', status: ready.status }] : [] },
  };
}

export class PodIndex {
  private byNamespace = new Map<string, Map<string, Pod>>();
  private loaded = false;

  constructor(private readonly store: Store) {
    store.onEvent((e) => {
      if (this.loaded && e.resource === 'pods') this.apply(e);
    });
  }

  private apply(e: StoredEvent): void {
    let m = this.byNamespace.get(e.namespace);
    if (e.type === 'DELETED') {
      m?.delete(e.name);
      if (m && !m.size) this.byNamespace.delete(e.namespace);
      return;
    }
    if (!m) this.byNamespace.set(e.namespace, (m = new Map()));
    m.set(e.name, slim(e.object));
  }

  /** The pods of a namespace (slim copies: do not write them back). */
  inNamespace(namespace: string): Iterable<Pod> {
    if (!this.loaded) {
      for (const p of this.store.list('pods')) {
        const ns = p.metadata.namespace ?? '';
        let m = this.byNamespace.get(ns);
        if (!m) this.byNamespace.set(ns, (m = new Map()));
        m.set(p.metadata.name ?? '', slim(p));
      }
      this.loaded = true;
    }
    return this.byNamespace.get(namespace)?.values() ?? [];
  }
}
