// Shared matching helpers: taints and tolerations (k8s.io/api/core/v1 Toleration.ToleratesTaint,
// component-helpers FindMatchingUntoleratedTaint), node selectors (component-helpers nodeaffinity) and label
// selectors that never throw (a selector the API server would reject selects nothing here).
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm, Taint, Toleration } from 'kubernetes-types/core/v1';
import { formatLabelSelector, labelSelectorFromObject, matchesLabels, NOTHING, type Requirement } from '../machinery/labels';

// ---------------------------------------------------------------------------------------------
// Taints and tolerations

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  for (const t of tolerations ?? []) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** v1helper.FindMatchingUntoleratedTaint: the first taint (passing `filter`) no toleration tolerates. */
export function findUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, filter: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!filter(taint)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

/** helper.DoNotScheduleTaintsFilterFunc: NoSchedule and NoExecute taints. */
export const doNotScheduleTaints = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

// ---------------------------------------------------------------------------------------------
// Label selectors

/** metav1.LabelSelectorAsSelector without throwing: invalid selectors select nothing; missing → NOTHING. */
export function safeSelector(sel: LabelSelector | undefined | null): Requirement[] {
  try {
    return labelSelectorFromObject(sel as Parameters<typeof labelSelectorFromObject>[0]);
  } catch {
    return NOTHING;
  }
}

/** labels.SelectorFromSet(map). */
export function selectorFromSet(set: Record<string, string> | undefined): Requirement[] {
  return Object.keys(set ?? {})
    .sort()
    .map((k) => ({ key: k, operator: '=' as const, values: [set![k]] }));
}

/** A canonical text for a selector (cache key). */
export function selectorKey(reqs: Requirement[]): string {
  if (reqs === NOTHING) return '<nothing>';
  return formatLabelSelector(reqs);
}

export function labelsMatch(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  return matchesLabels(reqs, labels);
}

// ---------------------------------------------------------------------------------------------
// Node selectors (component-helpers/scheduling/corev1/nodeaffinity)

const INT64 = /^[+-]?[0-9]+$/;

function matchExpression(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key] : undefined;
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return values.length > 0 && has && values.includes(v!);
    case 'NotIn':
      if (values.length === 0) return false; // invalid requirement: the term fails to parse
      return !has || !values.includes(v!);
    case 'Exists':
      return values.length === 0 && has;
    case 'DoesNotExist':
      return values.length === 0 && !has;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !INT64.test(values[0]) || !has || !INT64.test(v!)) return false;
      const lv = BigInt(v!);
      const rv = BigInt(values[0]);
      return r.operator === 'Gt' ? lv > rv : lv < rv;
    }
    default:
      return false;
  }
}

function matchField(r: NodeSelectorRequirement, node: Node): boolean {
  // NodeSelectorRequirementsAsFieldSelector: only metadata.name, In/NotIn with exactly one value.
  if (r.key !== 'metadata.name') return false;
  const values = r.values ?? [];
  if (values.length !== 1) return false;
  const name = node.metadata?.name ?? '';
  if (r.operator === 'In') return name === values[0];
  if (r.operator === 'NotIn') return name !== values[0];
  return false;
}

/** A NodeSelectorTerm: its expressions and fields are ANDed; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) if (!matchExpression(r, labels)) return false;
  for (const r of fields) if (!matchField(r, node)) return false;
  return true;
}

/** NodeSelector: terms are ORed. */
export function nodeSelectorMatches(sel: NodeSelector, node: Node): boolean {
  for (const t of sel.nodeSelectorTerms ?? []) if (nodeSelectorTermMatches(t, node)) return true;
  return false;
}

/** nodeaffinity.RequiredNodeAffinity: spec.nodeSelector AND requiredDuringSchedulingIgnoredDuringExecution. */
export interface RequiredNodeAffinity {
  match(node: Node): boolean;
}

export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  const nodeSelector = pod.spec?.nodeSelector;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return {
    match(node: Node): boolean {
      if (nodeSelector) {
        const labels = node.metadata?.labels ?? {};
        for (const [k, v] of Object.entries(nodeSelector)) {
          if (!Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
        }
      }
      if (required) return nodeSelectorMatches(required, node);
      return true;
    },
  };
}

/** nodeaffinity.PreferredSchedulingTerms.Score: the sum of weights of matching terms (weight 0 terms ignored). */
export function preferredSchedulingScore(terms: PreferredSchedulingTerm[] | undefined, node: Node): number {
  let score = 0;
  for (const t of terms ?? []) {
    if (!t.weight) continue;
    if (nodeSelectorTermMatches(t.preference ?? {}, node)) score += t.weight;
  }
  return score;
}

// ---------------------------------------------------------------------------------------------
// Pods

export function podKey(pod: Pod): string {
  return pod.metadata?.uid || `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export function podNamespace(pod: Pod): string {
  return pod.metadata?.namespace ?? 'default';
}

/** corev1helpers.PodPriority: spec.priority (set by the Priority admission plugin), else 0. */
export function podPriority(pod: Pod): number {
  const p = pod.spec?.priority;
  return typeof p === 'number' ? p : 0;
}

export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Milliseconds of an RFC 3339 timestamp; undefined when absent or malformed. */
export function timeOf(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}
