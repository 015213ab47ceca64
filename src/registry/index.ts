// The catalog of every built-in resource: one registry module per API group.
import type { ResourceDef } from './types';
import { resources as core } from './core';
import { resources as apps } from './apps';
import { resources as batch } from './batch';
import { resources as autoscaling } from './autoscaling';
import { resources as policy } from './policy';
import { resources as coordination } from './coordination';
import { resources as discovery } from './discovery';
import { resources as events } from './events';
import { resources as networking } from './networking';
import { resources as rbac } from './rbac';
import { resources as authentication } from './authentication';
import { resources as authorization } from './authorization';
import { resources as scheduling } from './scheduling';
import { resources as storage } from './storage';
import { resources as node } from './node';
import { resources as apiextensions } from './apiextensions';
import { resources as metrics } from './metrics';

/** In discovery order: the first version of a group listed is its preferred version. */
export const BUILTIN_RESOURCES: ResourceDef[] = [
  ...core,
  ...apps,
  ...events,
  ...authentication,
  ...authorization,
  ...autoscaling,
  ...batch,
  ...policy,
  ...coordination,
  ...discovery,
  ...networking,
  ...rbac,
  ...scheduling,
  ...storage,
  ...node,
  ...apiextensions,
  ...metrics,
];

const byPath = new Map<string, ResourceDef>();
for (const def of BUILTIN_RESOURCES) byPath.set(`${def.group}/${def.version}/${def.resource}`, def);

/** The resource served at /api(s)/{group}/{version}/{resource}. */
export function lookupResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return byPath.get(`${group}/${version}/${resource}`);
}

/** Where objects of this resource are stored, shared among versions of one resource. */
export function storageKey(def: ResourceDef): string {
  return def.storage?.key ?? (def.group ? `${def.resource}.${def.group}` : def.resource);
}

export function apiVersionOf(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
