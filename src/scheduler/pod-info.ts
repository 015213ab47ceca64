// framework.PodInfo: what the scheduler derives once from a pod (requests, host ports, parsed affinity terms).
// Memoized per pod object: treat pods handed to the scheduler as immutable (replace, don't mutate).
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1';
import { labelsMatch, podKey, podNamespace, podPriority, safeSelector, selectorKey } from './helpers';
import { podRequests, resourcesFromMap, type Resources } from './resources';
import type { Requirement } from '../machinery/labels';

/** framework.AffinityTerm with the label selectors parsed. */
export interface AffinityTerm {
  namespaces: Set<string>;
  /** LabelSelectorAsSelector(namespaceSelector): NOTHING when absent, everything when {}. */
  nsSelector: Requirement[];
  selector: Requirement[];
  topologyKey: string;
  weight: number;
  /** Canonical text of namespaces + selectors, for caches. */
  key: string;
  /** NodeInfo memo key of "pods on the node matching this term" (built once: hashing long strings is costly). */
  memoKey: string;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  pod: Pod;
  key: string;
  namespace: string;
  /** Namespace and labels: pods with the same identity match the same affinity terms (memo key). */
  identity: string;
  /** Memo keys derived from identity, built once. */
  memoKeys: { existingAnti: string; scoreContributions: string; allAffinityTerms: string };
  priority: number;
  /** resourcehelper.PodRequests (what NodeResourcesFit checks and NodeInfo.Requested sums). */
  requests: Resources;
  /** Requests with the non-zero defaults for containers missing cpu/memory (NodeInfo.NonZeroRequested). */
  nonZeroCPU: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  /** pod.spec.affinity has podAffinity or podAntiAffinity (NodeInfo.PodsWithAffinity). */
  hasAffinity: boolean;
  hasRequiredAntiAffinity: boolean;
  requiredAffinityTerms: AffinityTerm[];
  requiredAntiAffinityTerms: AffinityTerm[];
  preferredAffinityTerms: AffinityTerm[];
  preferredAntiAffinityTerms: AffinityTerm[];
}

const cache = new WeakMap<Pod, PodInfo>();

function newAffinityTerm(pod: Pod, term: PodAffinityTerm, weight: number): AffinityTerm {
  const selector = safeSelector(term.labelSelector);
  const nsSelector = safeSelector(term.namespaceSelector);
  // getNamespacesFromPodAffinityTerm: no namespaces and no namespaceSelector → the pod's own namespace.
  const namespaces = new Set<string>();
  if ((term.namespaces ?? []).length === 0 && term.namespaceSelector == null) namespaces.add(podNamespace(pod));
  else for (const ns of term.namespaces ?? []) namespaces.add(ns);
  const key = `${[...namespaces].sort().join(',')}|${selectorKey(nsSelector)}|${selectorKey(selector)}`;
  return { namespaces, nsSelector, selector, topologyKey: term.topologyKey ?? '', weight, key, memoKey: `ipa\u0000${key}` };
}

/** AffinityTerm.Matches: the pod's namespace is listed or selected, and its labels match. */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: Record<string, string> | undefined): boolean {
  const ns = podNamespace(pod);
  if (term.namespaces.has(ns) || labelsMatch(term.nsSelector, nsLabels ?? {})) return labelsMatch(term.selector, pod.metadata?.labels);
  return false;
}

function terms(pod: Pod, list: PodAffinityTerm[] | undefined): AffinityTerm[] {
  return (list ?? []).map((t) => newAffinityTerm(pod, t, 1));
}

function weightedTerms(pod: Pod, list: WeightedPodAffinityTerm[] | undefined): AffinityTerm[] {
  return (list ?? []).map((t) => newAffinityTerm(pod, t.podAffinityTerm, t.weight));
}

function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function podInfo(pod: Pod): PodInfo {
  let info = cache.get(pod);
  if (info) return info;
  const requests = resourcesFromMap(podRequests(pod));
  const nonZero = podRequests(pod, true);
  const affinity = pod.spec?.affinity;
  const pa = affinity?.podAffinity;
  const paa = affinity?.podAntiAffinity;
  const identity = `${podNamespace(pod)}\u0000${JSON.stringify(Object.entries(pod.metadata?.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  const requiredAffinityTerms = terms(pod, pa?.requiredDuringSchedulingIgnoredDuringExecution);
  info = {
    pod,
    key: podKey(pod),
    namespace: podNamespace(pod),
    identity,
    memoKeys: {
      existingAnti: `ipa-ex\u0000${identity}`,
      scoreContributions: `ipa-sc\u0000${identity}`,
      allAffinityTerms: `ipa-all\u0000${requiredAffinityTerms.map((t) => t.key).join('\u0001')}`,
    },
    priority: podPriority(pod),
    requests,
    nonZeroCPU: nonZero.get('cpu') ?? 0,
    nonZeroMemory: nonZero.get('memory') ?? 0,
    hostPorts: hostPorts(pod),
    hasAffinity: !!(pa || paa),
    hasRequiredAntiAffinity: (paa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0,
    requiredAffinityTerms,
    requiredAntiAffinityTerms: terms(pod, paa?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinityTerms: weightedTerms(pod, pa?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: weightedTerms(pod, paa?.preferredDuringSchedulingIgnoredDuringExecution),
  };
  cache.set(pod, info);
  return info;
}
