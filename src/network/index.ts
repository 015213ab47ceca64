// A sandbox's networking state in one place: the address plan, the claims table, the Service
// allocator (cluster IPs, node ports), the load-balancer pool and pod IPAM; what is released when a
// Service or Pod goes away follows the store's DELETED events.
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import type { GenericRegistry } from '../durable/generic-registry';
import type { Store, StoredEvent } from '../durable/store';
import type { KObject, ResourceDef } from '../registry/types';
import { Allocations } from './allocations';
import { PodIPAM } from './ipam';
import { LoadBalancerPool } from './load-balancer';
import { PodIndex } from './pod-index';
import { ServiceAllocator, type FinishFn } from './service-allocator';
import { NetworkSettings } from './settings';

export class ClusterNetwork {
  readonly settings: NetworkSettings;
  readonly claims: Allocations;
  readonly services: ServiceAllocator;
  readonly loadBalancers: LoadBalancerPool;
  readonly ipam: PodIPAM;
  readonly pods: PodIndex;

  constructor(db: DrizzleSqliteDODatabase, storage: DurableObjectStorage, store: Store, registry: GenericRegistry) {
    this.settings = new NetworkSettings(db);
    this.claims = new Allocations(db);
    this.services = new ServiceAllocator(store, registry, this.claims, () => this.settings.cidrs().service);
    this.loadBalancers = new LoadBalancerPool(this.claims, () => this.settings.cidrs().loadBalancer);
    this.ipam = new PodIPAM(db, storage, this.claims, () => this.settings.cidrs().pod);
    this.pods = new PodIndex(store);
    store.onEvent((e) => this.onEvent(e));
  }

  /** RegistryHooks.begin: Services allocate while their write is prepared. */
  begin(def: ResourceDef, obj: KObject, old: KObject | undefined, dryRun: boolean): FinishFn | undefined {
    if (def.group !== '' || def.resource !== 'services') return undefined;
    return this.services.begin(obj, old, dryRun);
  }

  private onEvent(e: StoredEvent): void {
    if (e.type !== 'DELETED') return;
    const key = `${e.namespace}/${e.name}`;
    if (e.resource === 'pods') {
      this.ipam.release(key, e.object.metadata.uid);
    } else if (e.resource === 'nodes') {
      this.ipam.releaseNode(e.name);
    } else if (e.resource === 'services') {
      // After the listeners of this event have run: releasing IPAddresses writes to the store.
      queueMicrotask(() => {
        this.services.release(e.object);
        this.loadBalancers.release(key, e.object.metadata.uid);
      });
    }
  }
}
