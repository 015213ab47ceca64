// kube-controller-manager's pv-protection controller (pkg/controller/volume/pvprotection),
// level-triggered per volume name: a volume keeps the `kubernetes.io/pv-protection` finalizer
// (added on create by the StorageObjectInUseProtection admission plugin) while it is Bound, so
// deleting a bound volume leaves it Terminating until its claim has released it.
import type { Controller } from '../durable/control-loop';
import { PV_PROTECTION_FINALIZER } from '../durable/admission';
import type { StoredEvent } from '../durable/store';
import { addFinalizer, removeFinalizer, type ClusterContext } from './context';
import { phaseOf } from './podutil';

const COMPONENT = 'pv-protection-controller';

export function pvProtectionController(ctx: ClusterContext): Controller {
  return {
    name: 'pv-protection',
    keysFor: (e: StoredEvent) => (e.resource === 'persistentvolumes' && e.type !== 'DELETED' ? [e.name] : []),
    reconcile(name) {
      const pv = ctx.store.get('persistentvolumes', '', name);
      if (!pv) return;
      const has = (pv.metadata.finalizers ?? []).includes(PV_PROTECTION_FINALIZER);
      if (!pv.metadata.deletionTimestamp) {
        if (!has) addFinalizer(ctx, COMPONENT, 'persistentvolumes', pv, PV_PROTECTION_FINALIZER);
        return;
      }
      // isBeingUsed: a Bound volume is in use by its claim.
      if (has && phaseOf(pv) !== 'Bound') removeFinalizer(ctx, COMPONENT, 'persistentvolumes', pv, PV_PROTECTION_FINALIZER);
    },
  };
}
