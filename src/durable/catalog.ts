// Which resources a sandbox serves: the built-ins plus those of its established CRDs. Custom
// definitions are rebuilt lazily after any CRD changes (a CRD write is rare, a lookup is hot).
import { BUILTIN_RESOURCES, lookupResource } from '../registry';
import { CRD_STORAGE_KEY, crdResourceDefs, isEstablished } from '../registry/customresources';
import type { KObject, ResourceDef } from '../registry/types';
import type { Store } from './store';

export class Catalog {
  private custom: Map<string, ResourceDef> | undefined;
  private customDefs: ResourceDef[] = [];
  private established: KObject[] = [];

  constructor(private readonly store: Store) {
    store.onEvent((e) => {
      if (e.resource === CRD_STORAGE_KEY) this.custom = undefined;
    });
  }

  private load(): Map<string, ResourceDef> {
    if (this.custom) return this.custom;
    const map = new Map<string, ResourceDef>();
    this.customDefs = [];
    this.established = [];
    for (const crd of this.store.list(CRD_STORAGE_KEY)) {
      if (!isEstablished(crd) || crd.metadata.deletionTimestamp) continue;
      this.established.push(crd);
      for (const def of crdResourceDefs(crd)) {
        map.set(`${def.group}/${def.version}/${def.resource}`, def);
        this.customDefs.push(def);
      }
    }
    this.custom = map;
    return map;
  }

  lookup(group: string, version: string, resource: string): ResourceDef | undefined {
    return lookupResource(group, version, resource) ?? this.load().get(`${group}/${version}/${resource}`);
  }

  /** Every served definition, built-ins first. */
  all(): ResourceDef[] {
    this.load();
    return [...BUILTIN_RESOURCES, ...this.customDefs];
  }

  /** The established CRDs (what the Worker needs to serve discovery, OpenAPI and tables). */
  establishedCRDs(): KObject[] {
    this.load();
    return this.established;
  }
}
