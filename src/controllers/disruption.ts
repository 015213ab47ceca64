// The disruption controller: PodDisruptionBudget status (expectedPods, currentHealthy,
// desiredHealthy, disruptionsAllowed and the DisruptionAllowed condition), kept current as the
// pods it selects come and go. Evictions compute the same numbers on the spot.
import type { Controller } from '../durable/control-loop';
import { nowTimestamp } from '../durable/generic-registry';
import { disruptionsAllowed, type Pdb } from '../durable/subresources';
import { matchesLabels } from '../machinery/labels';
import { selectorOf } from '../registry/common';
import type { KObject } from '../registry/types';
import { splitKey, systemCall, type ClusterContext } from './context';

const PDBS = 'poddisruptionbudgets.policy';

export function disruptionController(ctx: ClusterContext): Controller {
  /** PodDisruptionBudgets per namespace, counted once and then kept by their events: most pod events meet none. */
  const budgets = new Map<string, number>();
  const budgetsIn = (namespace: string): number => {
    let n = budgets.get(namespace);
    if (n === undefined) {
      n = 0;
      for (const _ of ctx.store.list(PDBS, { namespace })) n++;
      budgets.set(namespace, n);
    }
    return n;
  };
  return {
    name: 'disruption',
    keysFor(e) {
      if (e.resource === PDBS) {
        // The event is committed: a fresh count includes it.
        if (e.type !== 'MODIFIED') budgets.delete(e.namespace);
        return e.type === 'DELETED' ? [] : [`${e.namespace}/${e.name}`];
      }
      if (e.resource !== 'pods' || budgetsIn(e.namespace) === 0) return [];
      const keys: string[] = [];
      for (const pdb of ctx.store.list(PDBS, { namespace: e.namespace }) as Iterable<Pdb & KObject>) {
        const reqs = selectorOf(pdb.spec?.selector);
        if (!reqs) continue;
        if (matchesLabels(reqs, e.object.metadata.labels) || (e.prev && matchesLabels(reqs, e.prev.metadata.labels))) keys.push(`${e.namespace}/${pdb.metadata.name}`);
      }
      return keys;
    },
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const pdb = ctx.store.get(PDBS, namespace, name) as (Pdb & KObject) | undefined;
      if (!pdb || pdb.metadata.deletionTimestamp) return;
      const { allowed, desired, healthy, expected } = disruptionsAllowed(ctx.store, pdb, namespace);
      const old = (pdb.status ?? {}) as { conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string }[] } & Record<string, unknown>;
      const prevCond = old.conditions?.find((c) => c.type === 'DisruptionAllowed');
      const status = allowed > 0 ? 'True' : 'False';
      const reason = allowed > 0 ? 'SufficientPods' : 'InsufficientPods';
      const condition = {
        type: 'DisruptionAllowed',
        status,
        reason,
        message: '',
        observedGeneration: pdb.metadata.generation,
        lastTransitionTime: prevCond?.status === status ? prevCond.lastTransitionTime : nowTimestamp(),
      };
      const next = {
        ...old,
        observedGeneration: pdb.metadata.generation,
        disruptionsAllowed: allowed,
        currentHealthy: healthy,
        desiredHealthy: desired,
        expectedPods: expected,
        conditions: [condition],
      };
      if (JSON.stringify(next) === JSON.stringify(old)) return;
      systemCall(ctx, 'disruption-controller', {
        verb: 'update',
        subresource: 'status',
        group: 'policy',
        resource: 'poddisruptionbudgets',
        namespace,
        name,
        body: { ...pdb, status: next },
      });
    },
  };
}
