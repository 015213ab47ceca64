// The DNS answers `kubectl exec` tools (nslookup, dig, curl, wget) get.
// STAND-IN: a minimal reader of Services, Endpoints and pod-IP names until the cluster DNS
// (src/network/dns.ts, CoreDNS semantics) is merged; then this function should simply return
// that module's resolve(store, qname, qtype). One place to swap.
import type { Store } from '../durable/store';
import type { DnsAnswer, DnsRecord } from '../kubelet/shell';

const ZONE = 'cluster.local';
const TTL = 30;

export function resolveForExec(store: Store, qname: string, qtype: string): DnsAnswer {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const abs = `${name}.`;
  const a = (data: string): DnsRecord => ({ name: abs, type: 'A', ttl: TTL, data });
  const answer = (records: DnsRecord[]): DnsAnswer => ({ rcode: 'NOERROR', answers: qtype === 'A' || qtype === 'ANY' ? records : records.filter((r) => r.type === 'CNAME') });
  if (!name.endsWith(`.${ZONE}`)) return { rcode: 'NXDOMAIN', answers: [] };
  const labels = name.slice(0, -ZONE.length - 1).split('.');
  if (labels.length === 3 && labels[2] === 'pod' && /^\d+-\d+-\d+-\d+$/.test(labels[0])) return answer([a(labels[0].replace(/-/g, '.'))]);
  if (labels.length === 3 && labels[2] === 'svc') {
    const svc = store.get('services', labels[1], labels[0]);
    if (!svc) return { rcode: 'NXDOMAIN', answers: [] };
    const spec = (svc.spec ?? {}) as { type?: string; externalName?: string; clusterIP?: string };
    if (spec.type === 'ExternalName') return { rcode: 'NOERROR', answers: [{ name: abs, type: 'CNAME', ttl: TTL, data: `${spec.externalName}.` }] };
    if (spec.clusterIP && spec.clusterIP !== 'None') return answer([a(spec.clusterIP)]);
    return answer(readyAddresses(store, labels[1], labels[0]).map((e) => a(e.ip)));
  }
  if (labels.length === 4 && labels[3] === 'svc') {
    const hit = readyAddresses(store, labels[2], labels[1]).find((e) => e.hostname === labels[0]);
    return hit ? answer([a(hit.ip)]) : { rcode: 'NXDOMAIN', answers: [] };
  }
  return { rcode: 'NXDOMAIN', answers: [] };
}

function readyAddresses(store: Store, namespace: string, service: string): { ip: string; hostname?: string }[] {
  const ep = store.get('endpoints', namespace, service);
  return ((ep?.subsets ?? []) as { addresses?: { ip: string; hostname?: string }[] }[]).flatMap((s) => s.addresses ?? []);
}
