// storage.SelectionPredicate: which objects a list or watch selects, by label and field selectors.
import { errors } from '../api/status';
import type { KObject, ResourceDef } from '../registry/types';
import { parseFieldSelector, matchesFields, type FieldRequirement } from './fields';
import { parseLabelSelector, matchesLabels, type Requirement } from './labels';

export interface Predicate {
  labels: Requirement[];
  fields: FieldRequirement[];
}

export const EVERYTHING: Predicate = { labels: [], fields: [] };

/** Parse ?labelSelector= and ?fieldSelector= for a resource; unknown fields are a 400 like kube-apiserver. */
export function parsePredicate(def: ResourceDef, labelSelector?: string, fieldSelector?: string): Predicate {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : [];
  for (const f of fields) {
    if (f.field === 'metadata.name' || f.field === 'metadata.namespace') continue;
    if (!def.fieldSelectors?.[f.field]) {
      throw errors.badRequest(`field label not supported: ${f.field}`);
    }
  }
  return { labels, fields };
}

export function isEverything(p: Predicate): boolean {
  return p.labels.length === 0 && p.fields.length === 0;
}

export function matches(def: ResourceDef, p: Predicate, obj: KObject): boolean {
  if (p.labels.length && !matchesLabels(p.labels, obj.metadata.labels)) return false;
  if (!p.fields.length) return true;
  return matchesFields(p.fields, (field) => {
    if (field === 'metadata.name') return obj.metadata.name ?? '';
    if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
    return def.fieldSelectors?.[field]?.(obj) ?? '';
  });
}

/** The single name a field selector pins (kubectl wait/delete --wait watch one object this way). */
export function pinnedName(p: Predicate): string | undefined {
  const f = p.fields.find((r) => r.field === 'metadata.name' && r.operator !== '!=');
  return f?.value;
}
