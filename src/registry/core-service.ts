// The parts of kube-apiserver's Service strategy that concern allocated values (the allocation
// itself needs the store: src/network/service-allocator.ts): carrying clusterIPs and node ports over
// on update when the client left them out (patchAllocatedValues), wiping the ones a type change no
// longer uses (dropTypeDependentFields), and the IP-family checks of this single-stack IPv4 cluster.
import type { Service } from 'kubernetes-types/core/v1';
import { field } from '../machinery/validation';
import type { FieldError, KObject } from './types';

type Svc = Service & KObject;

const needsClusterIP = (s: Svc) => s.spec?.type !== 'ExternalName';
const needsNodePort = (s: Svc) => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';
const needsHCNodePort = (s: Svc) => s.spec?.type === 'LoadBalancer' && s.spec.externalTrafficPolicy === 'Local';
const externallyAccessible = (s: Svc) =>
  s.spec?.type === 'LoadBalancer' || s.spec?.type === 'NodePort' || (s.spec?.type === 'ClusterIP' && !!s.spec.externalIPs?.length);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** PrepareForUpdate for Services: patchAllocatedValues then dropTypeDependentFields. */
export function prepareServiceUpdate(obj: KObject, oldObj: KObject): void {
  const svc = obj as Svc;
  const old = oldObj as Svc;
  const spec = (svc.spec ??= {});
  const oldSpec = old.spec ?? {};
  // patchAllocatedValues: a client that re-sends its manifest keeps what was allocated.
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (!spec.clusterIPs?.length && oldSpec.clusterIPs?.length) spec.clusterIPs = [...oldSpec.clusterIPs];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const used = new Set((spec.ports ?? []).map((p) => p.nodePort).filter((n) => n));
    const byName = new Map((oldSpec.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const oldPort = byName.get(p.name ?? '');
      if (oldPort && !used.has(oldPort)) {
        p.nodePort = oldPort;
        used.add(oldPort);
      }
    }
  }
  if (needsHCNodePort(old) && needsHCNodePort(svc) && !spec.healthCheckNodePort) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;

  // dropTypeDependentFields: only what the type change made moot and the client did not touch.
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (same(spec.clusterIP, oldSpec.clusterIP) && same(spec.clusterIPs, oldSpec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(spec.ipFamilyPolicy, oldSpec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
    if (same(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
  }
  if (needsNodePort(old) && !needsNodePort(svc)) {
    const nodePorts = (s: Svc) => (s.spec?.ports ?? []).map((p) => p.nodePort ?? 0);
    if (same(nodePorts(svc), nodePorts(old))) for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (needsHCNodePort(old) && !needsHCNodePort(svc) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (same(spec.allocateLoadBalancerNodePorts, oldSpec.allocateLoadBalancerNodePorts)) delete spec.allocateLoadBalancerNodePorts;
    if (same(spec.loadBalancerClass, oldSpec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  // Load-balancer de-provisioning is asynchronous, but users never see a stale ingress.
  if (spec.type !== 'LoadBalancer' && obj.status) obj.status = { ...(obj.status as object), loadBalancer: {} };
}

const isHeadlessSelectorless = (s: Svc) => (s.spec?.clusterIP === 'None' || s.spec?.clusterIPs?.[0] === 'None') && !Object.keys(s.spec?.selector ?? {}).length;

/**
 * Headless Services without a selector may carry any families: a policy other than SingleStack gets
 * both (initIPFamilyFields). Runs after SetDefaults.
 */
export function defaultServiceFamilies(obj: KObject): void {
  const svc = obj as Svc;
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName' || !isHeadlessSelectorless(svc)) return;
  const families = spec.ipFamilies ?? [];
  if (families.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') spec.ipFamilies = [families[0], families[0] === 'IPv4' ? 'IPv6' : 'IPv4'];
}

/** initIPFamilyFields' checks against this cluster, which serves IPv4 only. */
export function clusterFamilyErrors(obj: KObject): FieldError[] {
  const svc = obj as Svc;
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName' || isHeadlessSelectorless(svc)) return [];
  const errs: FieldError[] = [];
  if (spec.ipFamilyPolicy === 'RequireDualStack') {
    errs.push(field.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4') errs.push(field.invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  return errs;
}
