// kube-apiserver's Service allocations (pkg/registry/core/service/storage/alloc.go): ClusterIPs from
// the sandbox's ServiceCIDR recorded as networking.k8s.io/v1 IPAddress objects (the 1.33 allocator:
// the object named after the address is the claim), NodePorts and healthCheckNodePorts from
// 30000-32767 recorded in the allocations table. Allocation happens while a Service write is being
// prepared; the returned finish() undoes it when the write fails, or releases what the new version
// no longer uses once it succeeded. A deleted Service's claims are released by release().
import type { Service, ServicePort } from 'kubernetes-types/core/v1';
import type { ApiCall } from '../api/call';
import { errors, StatusError } from '../api/status';
import type { GenericRegistry } from '../durable/generic-registry';
import type { Store } from '../durable/store';
import { field } from '../machinery/validation';
import { lookupResource } from '../registry';
import type { FieldError, KObject } from '../registry/types';
import { Allocations, pickFree } from './allocations';
import { formatCidr, ipAt, offsetOf, reservedBand, usableOffsets, type Cidr } from './cidr';

export const NODE_PORT_RANGE = { base: 30000, size: 2768 }; // 30000-32767
export const NODE_PORT_POOL = 'nodeport';
const IPADDRESSES = 'ipaddresses.networking.k8s.io';
export const IPALLOCATOR_MANAGER = 'ipallocator.k8s.io';

export type FinishFn = (ok: boolean) => void;

const key = (svc: KObject) => `${svc.metadata.namespace}/${svc.metadata.name}`;

/** The ClusterIPs a Service holds (none for headless and ExternalName). */
export function allocatedClusterIPs(svc: Service): string[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None');
}

/** service.NeedsNodePorts: NodePort, or LoadBalancer unless allocateLoadBalancerNodePorts is false. */
export function needsNodePorts(svc: Service): boolean {
  const spec = svc.spec ?? {};
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** service.NeedsHealthCheck: LoadBalancer with externalTrafficPolicy Local. */
export function needsHealthCheck(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
}

/** Every node port a Service holds (port nodePorts and the healthCheckNodePort). */
export function heldNodePorts(svc: Service): number[] {
  const out = new Set<number>();
  for (const p of svc.spec?.ports ?? []) if (p.nodePort) out.add(p.nodePort);
  if (svc.spec?.healthCheckNodePort) out.add(svc.spec.healthCheckNodePort);
  return [...out];
}

function invalid(svc: KObject, errs: FieldError[]): StatusError {
  return errors.invalid('Service', '', svc.metadata.name ?? '', errs);
}

export class ServiceAllocator {
  constructor(
    private readonly store: Store,
    private readonly registry: GenericRegistry,
    private readonly claims: Allocations,
    private readonly serviceCIDR: () => Cidr,
  ) {}

  /**
   * Allocate what `svc` needs (mutating it: clusterIP(s), nodePorts, healthCheckNodePort). `old` is
   * the stored version on update. Throws a 422 (or 500 when a range is full, as upstream).
   */
  begin(obj: KObject, oldObj: KObject | undefined, dryRun: boolean): FinishFn {
    const svc = obj as unknown as Service & KObject;
    const old = oldObj as unknown as (Service & KObject) | undefined;
    const undo: (() => void)[] = [];
    const releaseAfter: (() => void)[] = [];
    try {
      this.allocateClusterIPs(svc, old, dryRun, undo, releaseAfter);
      this.allocateNodePorts(svc, old, dryRun, undo, releaseAfter);
    } catch (e) {
      for (const u of undo.reverse()) u();
      throw e;
    }
    return (ok) => {
      if (!ok) for (const u of undo.reverse()) u();
      else for (const r of releaseAfter) r();
    };
  }

  /** After a Service is gone: its IPAddresses and ports go back to the pools. */
  release(obj: KObject): void {
    const svc = obj as unknown as Service & KObject;
    for (const ip of allocatedClusterIPs(svc)) this.releaseIP(ip, svc);
    for (const c of this.claims.held(key(svc), NODE_PORT_POOL)) if (c.uid === svc.metadata.uid) this.claims.release(NODE_PORT_POOL, c.value);
  }

  // ---- ClusterIPs ----

  private allocateClusterIPs(svc: Service & KObject, old: (Service & KObject) | undefined, dryRun: boolean, undo: (() => void)[], releaseAfter: (() => void)[]): void {
    const spec = (svc.spec ??= {});
    const before = old ? allocatedClusterIPs(old) : [];
    if (spec.type === 'ExternalName') {
      // No cluster IP for ExternalName; one that was held goes back once the update stored.
      for (const ip of before) releaseAfter.push(() => this.releaseIP(ip, old!));
      return;
    }
    if (spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
      for (const ip of before) releaseAfter.push(() => this.releaseIP(ip, old!));
      return;
    }
    const requested = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    const primary = requested[0];
    if (primary && before[0] === primary) {
      spec.clusterIP = primary;
      spec.clusterIPs = [primary];
      return; // unchanged: already held (validation refuses a change)
    }
    const cidr = this.serviceCIDR();
    let ip: string;
    if (primary) {
      const problem = this.checkRequestedIP(cidr, primary);
      if (problem) throw invalid(svc, [field.invalid('spec.clusterIPs', requested, `failed to allocate IP ${primary}: ${problem}`)]);
      ip = primary;
    } else {
      const { first, end } = usableOffsets(cidr);
      const offset = pickFree(first, end, reservedBand(cidr.size), (o) => this.ipTaken(ipAt(cidr, o)));
      if (offset === undefined) throw errors.internal('failed to allocate a serviceIP: range is full');
      ip = ipAt(cidr, offset);
    }
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    if (dryRun) return;
    this.createIPAddress(ip, svc);
    undo.push(() => this.releaseIP(ip, svc));
  }

  /** Why a requested address cannot be had (upstream wording), or undefined when it is free. */
  private checkRequestedIP(cidr: Cidr, ip: string): string | undefined {
    const offset = offsetOf(cidr, ip);
    if (offset === undefined) return 'the provided network does not match the current range';
    const { first, end } = usableOffsets(cidr);
    if (offset < first || offset >= end) return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatCidr(cidr)}`;
    if (this.ipTaken(ip)) return 'provided IP is already allocated';
    return undefined;
  }

  /** Held by a live IPAddress; one left behind by a Service that no longer uses it is reclaimed. */
  private ipTaken(ip: string): boolean {
    const addr = this.store.get(IPADDRESSES, '', ip);
    if (!addr) return false;
    const ref = (addr.spec as { parentRef?: { resource?: string; namespace?: string; name?: string } } | undefined)?.parentRef;
    if (addr.metadata.labels?.['ipaddress.kubernetes.io/managed-by'] !== IPALLOCATOR_MANAGER || ref?.resource !== 'services') return true;
    const parent = this.store.get('services', ref.namespace ?? '', ref.name ?? '') as unknown as Service | undefined;
    if (parent && allocatedClusterIPs(parent).includes(ip)) return true;
    this.call({ verb: 'delete', name: ip }); // a leak (the Service went without releasing it)
    return false;
  }

  private createIPAddress(ip: string, svc: KObject): void {
    const body: KObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: {
        name: ip,
        labels: { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': IPALLOCATOR_MANAGER },
      },
      spec: { parentRef: { group: '', resource: 'services', namespace: svc.metadata.namespace, name: svc.metadata.name } },
    };
    const r = this.call({ verb: 'create', body });
    if (r.status === 409) throw invalid(svc, [field.invalid('spec.clusterIPs', [ip], `failed to allocate IP ${ip}: provided IP is already allocated`)]);
    if (r.status >= 300) throw errors.internal(`failed to allocate IP ${ip}: ${JSON.stringify(r.body)}`);
  }

  private releaseIP(ip: string, svc: KObject): void {
    const addr = this.store.get(IPADDRESSES, '', ip);
    const ref = (addr?.spec as { parentRef?: { namespace?: string; name?: string } } | undefined)?.parentRef;
    if (addr && ref?.namespace === svc.metadata.namespace && ref?.name === svc.metadata.name) this.call({ verb: 'delete', name: ip });
  }

  private call(c: Pick<ApiCall, 'verb' | 'name' | 'body'>) {
    const def = lookupResource('networking.k8s.io', 'v1', 'ipaddresses')!;
    return this.registry.handle(def, { ...c, group: def.group, version: def.version, resource: def.resource, query: { fieldManager: 'kube-apiserver' }, userAgent: 'kube-apiserver' });
  }

  // ---- NodePorts ----

  private allocateNodePorts(svc: Service & KObject, old: (Service & KObject) | undefined, dryRun: boolean, undo: (() => void)[], releaseAfter: (() => void)[]): void {
    const owner = key(svc);
    const uid = old?.metadata.uid ?? svc.metadata.uid ?? '';
    const mine = new Set(old ? heldNodePorts(old) : []);
    const keep = new Set<number>();
    const errs: FieldError[] = [];
    const take = (port: number, path: string): boolean => {
      if (mine.has(port) || keep.has(port)) {
        keep.add(port);
        return true;
      }
      const problem = this.checkRequestedPort(port);
      if (problem) {
        errs.push(field.invalid(path, port, problem));
        return false;
      }
      if (!dryRun) {
        this.claims.release(NODE_PORT_POOL, String(port)); // a stale claim checkRequestedPort reclaimed
        this.claims.claim(NODE_PORT_POOL, String(port), owner, uid);
        undo.push(() => this.claims.release(NODE_PORT_POOL, String(port)));
      }
      keep.add(port);
      return true;
    };
    const next = (): number => {
      const { base, size } = NODE_PORT_RANGE;
      const o = pickFree(0, size, reservedBand(size), (i) => keep.has(base + i) || this.portTaken(base + i));
      if (o === undefined) throw errors.internal('failed to allocate a nodePort: range is full');
      return base + o;
    };
    const spec = (svc.spec ??= {});
    const ports: ServicePort[] = spec.ports ?? [];
    const lbWithout = spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === false;
    if (needsNodePorts(svc) || lbWithout) {
      // Ports with the same number but another protocol share one node port, like upstream; a
      // LoadBalancer that asks for no node ports still keeps the ones it names.
      const byNumber = new Map<number, number>();
      ports.forEach((p, i) => {
        if (p.nodePort && take(p.nodePort, `spec.ports[${i}].nodePort`)) byNumber.set(p.port, p.nodePort);
      });
      if (errs.length) this.fail(svc, errs, undo);
      for (const p of ports) {
        if (p.nodePort || lbWithout) continue;
        const reuse = byNumber.get(p.port);
        const port = reuse ?? next();
        if (reuse === undefined) take(port, '');
        p.nodePort = port;
        byNumber.set(p.port, port);
      }
    } else {
      for (const p of ports) delete p.nodePort;
    }
    if (needsHealthCheck(svc)) {
      if (spec.healthCheckNodePort) {
        const port = spec.healthCheckNodePort;
        if (!take(port, 'spec.healthCheckNodePort')) {
          for (const u of undo.splice(0).reverse()) u();
          throw errors.internal(`failed to allocate requested HealthCheck NodePort ${port}: ${errs[errs.length - 1].message.replace(/^Invalid value: \d+: /, '')}`);
        }
      } else {
        const port = next();
        take(port, '');
        spec.healthCheckNodePort = port;
      }
    } else {
      delete spec.healthCheckNodePort;
    }
    for (const port of mine) if (!keep.has(port)) releaseAfter.push(() => this.claims.release(NODE_PORT_POOL, String(port)));
  }

  private fail(svc: KObject, errs: FieldError[], undo: (() => void)[]): never {
    for (const u of undo.splice(0).reverse()) u();
    throw invalid(svc, errs);
  }

  private checkRequestedPort(port: number): string | undefined {
    const { base, size } = NODE_PORT_RANGE;
    if (port < base || port >= base + size) return `provided port is not in the valid range. The range of valid ports is ${base}-${base + size - 1}`;
    if (this.portTaken(port)) return 'provided port is already allocated';
    return undefined;
  }

  /** Held by a Service that still uses it; a claim left behind by a gone Service is free again. */
  private portTaken(port: number): boolean {
    const h = this.claims.holder(NODE_PORT_POOL, String(port));
    if (!h) return false;
    const i = h.owner.indexOf('/');
    const svc = this.store.get('services', h.owner.slice(0, i), h.owner.slice(i + 1)) as unknown as (Service & KObject) | undefined;
    return !!svc && svc.metadata.uid === h.uid && heldNodePorts(svc).includes(port);
  }
}
