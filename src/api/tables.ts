// Server-side printing: objects and lists as meta.k8s.io/v1 Tables with kube-apiserver's columns.
import { DEFAULT_TABLE as DEFAULT_PRINTER } from '../registry/common';
import type { ColumnDefinition, KObject, ResourceDef } from '../registry/types';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(v: string | undefined): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function rowObject(obj: KObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function columnsOf(def: ResourceDef): ColumnDefinition[] {
  return (def.printer ?? DEFAULT_PRINTER).columns;
}

export function tableOf(def: ResourceDef, items: KObject[], listMeta: Record<string, unknown>, include: IncludeObject, now = Date.now()) {
  const printer = def.printer ?? DEFAULT_PRINTER;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columnsOf(def),
    rows: items.map((obj) => {
      const row: Record<string, unknown> = { cells: printer.cells(obj, now) };
      const o = rowObject(obj, include);
      if (o !== undefined) row.object = o;
      return row;
    }),
  };
}

/** A list reply or a single object as a Table. */
export function toTable(def: ResourceDef, body: unknown, include: IncludeObject): unknown {
  const b = body as { kind?: string; items?: KObject[]; metadata?: Record<string, unknown> };
  if (b?.kind === 'Status') return body;
  if (Array.isArray(b?.items)) {
    const meta: Record<string, unknown> = {};
    for (const k of ['resourceVersion', 'continue', 'remainingItemCount']) if (b.metadata?.[k] !== undefined) meta[k] = b.metadata[k];
    return tableOf(def, b.items, meta, include);
  }
  const obj = body as KObject;
  return tableOf(def, [obj], { resourceVersion: obj.metadata?.resourceVersion }, include);
}
