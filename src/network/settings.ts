// The sandbox's address plan, fixed when the sandbox is created (like kubeadm's networking section):
// the Service CIDR (kube-apiserver --service-cluster-ip-range), the pod CIDR (Calico's IP pool) and
// the pool load-balancer IPs come from (the emulated cloud's, in the nodes' network like MetalLB on kind).
import { eq } from 'drizzle-orm';
import type { DrizzleSqliteDODatabase } from 'drizzle-orm/durable-sqlite';
import { settings } from '../durable/schema';
import { field } from '../machinery/validation';
import type { FieldError } from '../registry/types';
import { formatCidr, parseCidr, type Cidr } from './cidr';

export interface NetworkPlan {
  serviceCIDR: string;
  podCIDR: string;
  loadBalancerCIDR: string;
}

export const DEFAULT_NETWORK: NetworkPlan = {
  serviceCIDR: '10.96.0.0/12',
  podCIDR: '10.244.0.0/16',
  // The nodes sit in 172.18.0.0/16 (kind's docker network); MetalLB guides use its top for LBs.
  loadBalancerCIDR: '172.18.255.0/24',
};

/** Parsed plan; throws on a malformed CIDR or a pod range too small for one /26 block. */
export function checkPlan(plan: NetworkPlan): { service: Cidr; pod: Cidr; loadBalancer: Cidr } {
  const parse = (what: string, text: string, maxBits: number) => {
    const c = parseCidr(text);
    if (!c || c.bits > maxBits) throw new Error(`${what} ${JSON.stringify(text)} is not an IPv4 CIDR of /${maxBits} or larger`);
    return c;
  };
  return {
    service: parse('serviceCIDR', plan.serviceCIDR, 30),
    pod: parse('podCIDR', plan.podCIDR, 26),
    loadBalancer: parse('loadBalancerCIDR', plan.loadBalancerCIDR, 30),
  };
}

/** The plan's problems as field errors (the sandbox API's 422): malformed, too small, overlapping. */
export function networkPlanErrors(plan: Record<keyof NetworkPlan, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const limits: Record<keyof NetworkPlan, [number, string]> = { serviceCIDR: [30, '10.96.0.0/12'], podCIDR: [26, '10.244.0.0/16'], loadBalancerCIDR: [30, '172.18.255.0/24'] };
  const parsed: Partial<Record<keyof NetworkPlan, Cidr>> = {};
  for (const key of Object.keys(limits) as (keyof NetworkPlan)[]) {
    const [maxBits, example] = limits[key];
    const v = plan[key];
    const c = typeof v === 'string' ? parseCidr(v) : undefined;
    if (!c || c.bits > maxBits) errs.push(field.invalid(key, v, `must be an IPv4 CIDR of /${maxBits} or larger, such as "${example}"`));
    else parsed[key] = c;
  }
  const overlap = (a?: Cidr, b?: Cidr) => !!a && !!b && a.base < b.base + b.size && b.base < a.base + a.size;
  if (overlap(parsed.serviceCIDR, parsed.podCIDR)) errs.push(field.invalid('podCIDR', plan.podCIDR, 'may not overlap serviceCIDR'));
  if (overlap(parsed.loadBalancerCIDR, parsed.serviceCIDR)) errs.push(field.invalid('loadBalancerCIDR', plan.loadBalancerCIDR, 'may not overlap serviceCIDR'));
  if (overlap(parsed.loadBalancerCIDR, parsed.podCIDR)) errs.push(field.invalid('loadBalancerCIDR', plan.loadBalancerCIDR, 'may not overlap podCIDR'));
  return errs;
}

/** Reads and writes the plan in the DO's settings table; cached (it never changes after creation). */
export class NetworkSettings {
  private cached?: NetworkPlan;

  constructor(private readonly db: DrizzleSqliteDODatabase) {}

  save(plan: NetworkPlan): void {
    const c = checkPlan(plan);
    const canonical: NetworkPlan = { serviceCIDR: formatCidr(c.service), podCIDR: formatCidr(c.pod), loadBalancerCIDR: formatCidr(c.loadBalancer) };
    for (const [key, value] of Object.entries(canonical)) {
      this.db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
    }
    this.cached = canonical;
  }

  /** The plan; sandboxes created before it was recorded get the defaults. */
  plan(): NetworkPlan {
    if (this.cached) return this.cached;
    const read = (key: keyof NetworkPlan) => this.db.select().from(settings).where(eq(settings.key, key)).get()?.value ?? DEFAULT_NETWORK[key];
    this.cached = { serviceCIDR: read('serviceCIDR'), podCIDR: read('podCIDR'), loadBalancerCIDR: read('loadBalancerCIDR') };
    return this.cached;
  }

  cidrs(): { service: Cidr; pod: Cidr; loadBalancer: Cidr } {
    return checkPlan(this.plan());
  }
}
