// A simulated dynamic volume provisioner plus kube-controller-manager's PV controller
// (pkg/controller/volume/persistentvolume), level-triggered per claim "ns/name":
//   - a Pending claim whose spec.volumeName names an available PV, or that matches one (class,
//     access modes, capacity, selector), is bound to it;
//   - otherwise a claim of a StorageClass (its own, else the default class) gets a PV
//     `pvc-<claim uid>` (hostPath for kubedo.dev/hostpath, else a CSI source) and both go Bound;
//     with no StorageClass at all a default `standard` class is created at first use;
//   - WaitForFirstConsumer classes provision once a pod using the claim has a node;
//   - when a claim goes away, its Delete-policy PV is deleted and a Retain one goes Released.
import type { Controller } from '../durable/control-loop';
import type { StoredEvent } from '../durable/store';
import { matchesLabels } from '../machinery/labels';
import { parseQuantity } from '../machinery/quantity';
import { clone, selectorOf } from '../registry/common';
import { DEFAULT_STORAGE_CLASS_ANNOTATION, isDefaultStorageClass } from '../registry/storage';
import type { KObject } from '../registry/types';
import { splitKey, systemCall, type ClusterContext } from './context';
import { eventRecorder } from './events';

const COMPONENT = 'persistentvolume-controller';
const DEFAULT_PROVISIONER = 'kubedo.dev/hostpath';
const SC_RESOURCE = 'storageclasses.storage.k8s.io';
const SC_API = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' };

const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';

type Obj = Record<string, any>;

const specOf = (o: KObject): Obj => (o.spec ?? {}) as Obj;
const phaseOf = (o: KObject): string => ((o.status ?? {}) as Obj).phase ?? '';

/** The class a claim asks for: the beta annotation first, then spec.storageClassName. */
function claimClass(pvc: KObject): string | undefined {
  const ann = pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if (ann !== undefined) return ann;
  const sc = specOf(pvc).storageClassName;
  return typeof sc === 'string' ? sc : undefined;
}

function pvClass(pv: KObject): string {
  const ann = pv.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  return ann ?? specOf(pv).storageClassName ?? '';
}

function quantity(v: unknown): number {
  const n = v === undefined || v === null ? undefined : parseQuantity(String(v));
  return typeof n === 'number' ? n : Number(n ?? 0);
}

/** Claims a pod uses (spec.volumes[].persistentVolumeClaim.claimName). */
function podClaims(pod: KObject | undefined): string[] {
  if (!pod) return [];
  const vols = (specOf(pod).volumes ?? []) as Obj[];
  return vols.map((v) => v?.persistentVolumeClaim?.claimName).filter((n): n is string => typeof n === 'string' && !!n);
}

export function volumeProvisioner(ctx: ClusterContext): Controller {
  const recorder = eventRecorder(ctx, COMPONENT);
  const event = (pvc: KObject, type: 'Normal' | 'Warning', reason: string, message: string) =>
    recorder.event(pvc, 'PersistentVolumeClaim', 'v1', type, reason, message);

  /** The default StorageClass (the newest of several, as upstream), creating `standard` when there is no class at all. */
  function defaultClass(): KObject | undefined {
    const all = [...ctx.store.list(SC_RESOURCE)];
    const defaults = all.filter(isDefaultStorageClass);
    if (defaults.length) {
      defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name! < b.metadata.name! ? -1 : 1));
      return defaults[0];
    }
    if (all.length) return undefined;
    const r = systemCall(ctx, COMPONENT, {
      ...SC_API,
      verb: 'create',
      body: {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'standard', annotations: { [DEFAULT_STORAGE_CLASS_ANNOTATION]: 'true' } },
        provisioner: DEFAULT_PROVISIONER,
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'Immediate',
      },
    });
    return r.status < 300 ? (r.body as KObject) : ctx.store.get(SC_RESOURCE, '', 'standard');
  }

  /** The node chosen for a WaitForFirstConsumer claim: that of a pod using it. */
  function consumerNode(pvc: KObject): string | undefined {
    const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    if (selected) return selected;
    for (const pod of ctx.store.list('pods', { namespace: pvc.metadata.namespace })) {
      const node = specOf(pod).nodeName;
      if (node && !pod.metadata.deletionTimestamp && podClaims(pod).includes(pvc.metadata.name!)) return node;
    }
    return undefined;
  }

  /** findBestMatchForClaim: the smallest available PV that fits. */
  function findMatch(pvc: KObject, className: string): KObject | undefined {
    const spec = specOf(pvc);
    const want = quantity(spec.resources?.requests?.storage);
    const modes = (spec.accessModes ?? []) as string[];
    const reqs = spec.selector ? selectorOf(spec.selector) : undefined;
    if (spec.selector && !reqs) return undefined;
    let best: KObject | undefined;
    for (const pv of ctx.store.list('persistentvolumes')) {
      const ps = specOf(pv);
      if (pv.metadata.deletionTimestamp || phaseOf(pv) !== 'Available' || ps.claimRef) continue;
      if (pvClass(pv) !== className) continue;
      if ((ps.volumeMode ?? 'Filesystem') !== (spec.volumeMode ?? 'Filesystem')) continue;
      const pvModes = (ps.accessModes ?? []) as string[];
      if (!modes.every((m) => pvModes.includes(m))) continue;
      if (reqs && !matchesLabels(reqs, (pv.metadata.labels ?? {}) as Record<string, string>)) continue;
      const size = quantity(ps.capacity?.storage);
      if (size < want) continue;
      if (!best || size < quantity(specOf(best).capacity?.storage)) best = pv;
    }
    return best;
  }

  function claimRefOf(pvc: KObject): Obj {
    return { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
  }

  /** Bind `pv` (already pointing at the claim, or claimed now) and `pvc`; both go Bound. */
  function bind(pvc: KObject, pv: KObject, byController: boolean): boolean {
    let live = pv;
    if (specOf(pv).claimRef?.uid !== pvc.metadata.uid) {
      const body = clone(pv) as KObject;
      (body.spec as Obj).claimRef = claimRefOf(pvc);
      body.metadata.annotations = { ...(body.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      const r = systemCall(ctx, COMPONENT, { verb: 'update', resource: 'persistentvolumes', name: pv.metadata.name, body });
      if (r.status >= 300) return false;
      live = r.body as KObject;
    }
    if (phaseOf(live) !== 'Bound') {
      const r = systemCall(ctx, COMPONENT, {
        verb: 'update',
        resource: 'persistentvolumes',
        subresource: 'status',
        name: live.metadata.name,
        body: { ...live, status: { ...((live.status ?? {}) as Obj), phase: 'Bound', lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } },
      });
      if (r.status >= 300) return false;
    }
    const ns = pvc.metadata.namespace;
    const claim = clone(pvc) as KObject;
    (claim.spec as Obj).volumeName = live.metadata.name;
    claim.metadata.annotations = { ...(claim.metadata.annotations ?? {}), [ANN_BIND_COMPLETED]: 'yes' };
    if (byController) claim.metadata.annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
    const r1 = systemCall(ctx, COMPONENT, { verb: 'update', resource: 'persistentvolumeclaims', namespace: ns, name: pvc.metadata.name, body: claim });
    if (r1.status >= 300) return false;
    const updated = r1.body as KObject;
    const ps = specOf(live);
    const status: Obj = { ...((updated.status ?? {}) as Obj), phase: 'Bound', accessModes: ps.accessModes, capacity: ps.capacity };
    const r2 = systemCall(ctx, COMPONENT, { verb: 'update', resource: 'persistentvolumeclaims', subresource: 'status', namespace: ns, name: pvc.metadata.name, body: { ...updated, status } });
    return r2.status < 300;
  }

  function provision(pvc: KObject, sc: KObject): KObject | undefined {
    const provisioner = String((sc as Obj).provisioner ?? '');
    const spec = specOf(pvc);
    const name = `pvc-${pvc.metadata.uid}`;
    const source: Obj =
      provisioner === DEFAULT_PROVISIONER
        ? { hostPath: { path: `/var/local-path-provisioner/${name}_${pvc.metadata.namespace}_${pvc.metadata.name}`, type: 'DirectoryOrCreate' } }
        : { csi: { driver: provisioner, volumeHandle: name, fsType: 'ext4' } };
    const pvSpec: Obj = {
      capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
      accessModes: spec.accessModes?.length ? spec.accessModes : ['ReadWriteOnce'],
      claimRef: claimRefOf(pvc),
      persistentVolumeReclaimPolicy: (sc as Obj).reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name,
      volumeMode: spec.volumeMode ?? 'Filesystem',
      ...source,
    };
    if ((sc as Obj).mountOptions) pvSpec.mountOptions = (sc as Obj).mountOptions;
    const node = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    if (node) {
      pvSpec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } };
    }
    const r = systemCall(ctx, provisioner || COMPONENT, {
      verb: 'create',
      resource: 'persistentvolumes',
      body: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, annotations: { [ANN_PROVISIONED_BY]: provisioner } }, spec: pvSpec },
    });
    if (r.status === 409) return ctx.store.get('persistentvolumes', '', name);
    if (r.status >= 300) {
      const message = String((r.body as Obj | undefined)?.message ?? `status ${r.status}`);
      event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${message}`);
      return undefined;
    }
    event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
    return r.body as KObject;
  }

  /** Mark the claim as handled by `provisioner` (and the chosen node), as the PV controller does. */
  function annotateClaim(pvc: KObject, extra: Record<string, string>): KObject | undefined {
    const ann = pvc.metadata.annotations ?? {};
    if (Object.entries(extra).every(([k, v]) => ann[k] === v)) return pvc;
    const body = clone(pvc) as KObject;
    body.metadata.annotations = { ...ann, ...extra };
    const r = systemCall(ctx, COMPONENT, { verb: 'update', resource: 'persistentvolumeclaims', namespace: pvc.metadata.namespace, name: pvc.metadata.name, body });
    return r.status < 300 ? (r.body as KObject) : undefined;
  }

  /** A claim is gone: reclaim the volumes that pointed at it. */
  function reclaim(namespace: string, name: string, uid?: string): void {
    for (const pv of ctx.store.list('persistentvolumes')) {
      const ref = specOf(pv).claimRef as Obj | undefined;
      if (!ref || ref.namespace !== namespace || ref.name !== name) continue;
      if (uid && ref.uid && ref.uid !== uid) continue;
      const policy = specOf(pv).persistentVolumeReclaimPolicy ?? 'Retain';
      // Released first (what lets pv-protection drop its finalizer), then the Delete policy.
      if (phaseOf(pv) !== 'Released') {
        systemCall(ctx, COMPONENT, {
          verb: 'update',
          resource: 'persistentvolumes',
          subresource: 'status',
          name: pv.metadata.name,
          body: { ...pv, status: { ...((pv.status ?? {}) as Obj), phase: 'Released', lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } },
        });
      }
      if (policy === 'Delete' && !pv.metadata.deletionTimestamp) {
        systemCall(ctx, COMPONENT, { verb: 'delete', resource: 'persistentvolumes', name: pv.metadata.name, body: { preconditions: { uid: pv.metadata.uid } } });
      }
    }
  }

  const deletedUids = new Map<string, string>();

  return {
    name: 'volume-provisioner',
    keysFor(e: StoredEvent) {
      if (e.resource === 'persistentvolumeclaims') {
        const key = `${e.namespace}/${e.name}`;
        if (e.type === 'DELETED' && e.object.metadata.uid) deletedUids.set(key, e.object.metadata.uid);
        return [key];
      }
      if (e.resource === 'pods') {
        if (!specOf(e.object).nodeName || e.type === 'DELETED') return [];
        if (e.prev && specOf(e.prev).nodeName) return [];
        return podClaims(e.object).map((c) => `${e.namespace}/${c}`);
      }
      if (e.resource === 'persistentvolumes') {
        const ref = specOf(e.object).claimRef as Obj | undefined;
        if (ref?.namespace && ref.name && e.type !== 'DELETED') return [`${ref.namespace}/${ref.name}`];
      }
      return [];
    },
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const pvc = ctx.store.get('persistentvolumeclaims', namespace, name);
      if (!pvc) {
        const uid = deletedUids.get(key);
        deletedUids.delete(key);
        reclaim(namespace, name, uid);
        return;
      }
      if (pvc.metadata.deletionTimestamp) return;
      const spec = specOf(pvc);
      // A PV whose claimRef points at this claim (pre-bound PV, or one we provisioned).
      if (spec.volumeName) {
        const pv = ctx.store.get('persistentvolumes', '', spec.volumeName);
        if (!pv) {
          if (phaseOf(pvc) === 'Bound') {
            const status = { ...((pvc.status ?? {}) as Obj), phase: 'Lost' };
            systemCall(ctx, COMPONENT, { verb: 'update', resource: 'persistentvolumeclaims', subresource: 'status', namespace, name, body: { ...pvc, status } });
          }
          return;
        }
        const ref = specOf(pv).claimRef as Obj | undefined;
        if (phaseOf(pvc) === 'Bound' && ref?.uid === pvc.metadata.uid && phaseOf(pv) === 'Bound') return;
        if (ref && ref.uid && ref.uid !== pvc.metadata.uid) return; // bound elsewhere: stays Pending
        bind(pvc, pv, false);
        return;
      }
      if (phaseOf(pvc) !== 'Pending' && phaseOf(pvc) !== '') return;
      // A PV pre-bound to this claim by claimRef.
      for (const pv of ctx.store.list('persistentvolumes')) {
        const ref = specOf(pv).claimRef as Obj | undefined;
        if (ref && ref.namespace === namespace && ref.name === name && (!ref.uid || ref.uid === pvc.metadata.uid) && !pv.metadata.deletionTimestamp) {
          bind(pvc, pv, true);
          return;
        }
      }
      const requested = claimClass(pvc);
      const sc = requested ? ctx.store.get(SC_RESOURCE, '', requested) : defaultClass();
      const className = requested ?? sc?.metadata.name ?? '';
      const match = findMatch(pvc, className);
      if (match) {
        bind(pvc, match, true);
        return;
      }
      if (!sc) {
        if (requested) event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${requested}" not found`);
        return;
      }
      const provisioner = String((sc as Obj).provisioner ?? '');
      if (!provisioner || provisioner === 'kubernetes.io/no-provisioner') {
        event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
        return;
      }
      const extra: Record<string, string> = { [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner };
      if ((sc as Obj).volumeBindingMode === 'WaitForFirstConsumer') {
        const node = consumerNode(pvc);
        if (!node) {
          event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
          return;
        }
        extra[ANN_SELECTED_NODE] = node;
      }
      const annotated = annotateClaim(pvc, extra);
      if (!annotated) return;
      event(annotated, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${namespace}/${name}"`);
      const pv = provision(annotated, sc);
      if (!pv) return Date.now() + 5_000;
      bind(annotated, pv, true);
    },
  };
}
