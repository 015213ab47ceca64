// The body of POST /v1/sandboxes: checked field by field like a Kubernetes object (400 for a body
// that is not a JSON object or has unknown fields, 422 Invalid with causes for bad values).
import { errors } from '../api/status';
import { DEFAULT_SANDBOX, type SandboxSpec } from '../durable/seed';
import { networkPlanErrors } from '../network/settings';
import { parseQuantity } from '../machinery/quantity';
import { field, isDNS1123Label } from '../machinery/validation';
import type { FieldError } from '../registry/types';

export interface SandboxRequest {
  /** Absent: the registry picks `sandbox-<first letters of the id>`. */
  name?: string;
  spec: Omit<SandboxSpec, 'name'>;
  ttlSeconds?: number;
}

export interface CreationPolicy {
  maxNodes: number; // 0: unlimited
  defaultTtlSeconds: number; // 0: none
  maxTtlSeconds: number; // 0: unlimited
}

/** Node names are `<name>-control-plane<N>` / `<name>-worker<N>`: a name this long keeps them DNS labels. */
export const MAX_NAME_LENGTH = 40;

const FIELDS = ['name', 'controlPlaneNodes', 'workerNodes', 'nodeCapacity', 'proxyMode', 'serviceCIDR', 'podCIDR', 'loadBalancerCIDR', 'ttlSeconds'];
const CAPACITY_FIELDS = ['cpu', 'memory', 'pods'];
const PROXY_MODES = ['iptables', 'ipvs'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(errs: FieldError[], path: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    errs.push(field.typeInvalid(path, v, 'must be an integer'));
    return fallback;
  }
  if (v < 0) errs.push(field.invalid(path, v, 'must be greater than or equal to 0'));
  return v;
}

function quantity(errs: FieldError[], path: string, v: unknown, fallback: string, integer: boolean): string {
  if (v === undefined) return fallback;
  const text = typeof v === 'number' ? String(v) : v;
  const n = typeof text === 'string' ? parseQuantity(text) : undefined;
  if (typeof text !== 'string' || n === undefined) {
    errs.push(field.invalid(path, v, 'must be a quantity such as "4", "500m", "8Gi"'));
    return fallback;
  }
  if (n <= 0) errs.push(field.invalid(path, v, 'must be greater than 0'));
  else if (integer && !Number.isInteger(n)) errs.push(field.invalid(path, v, 'must be an integer'));
  return text;
}

/** Parse and validate the request body (already JSON-decoded; undefined for an empty body). */
export function parseSandboxRequest(body: unknown, policy: CreationPolicy): SandboxRequest {
  if (body === undefined || body === null) body = {};
  if (!isObject(body)) throw errors.badRequest('the request body must be a JSON object');
  const unknown = Object.keys(body).filter((k) => !FIELDS.includes(k));
  const cap = body.nodeCapacity;
  if (isObject(cap)) unknown.push(...Object.keys(cap).filter((k) => !CAPACITY_FIELDS.includes(k)).map((k) => `nodeCapacity.${k}`));
  if (unknown.length) throw errors.badRequest(`strict decoding error: ${unknown.map((k) => `unknown field "${k}"`).join(', ')}`);

  const errs: FieldError[] = [];
  let name: string | undefined;
  if (body.name !== undefined) {
    if (typeof body.name !== 'string') errs.push(field.typeInvalid('name', body.name, 'must be a string'));
    else {
      name = body.name;
      for (const m of isDNS1123Label(name)) errs.push(field.invalid('name', name, m));
      if (name.length > MAX_NAME_LENGTH) errs.push(field.tooLong('name', name, MAX_NAME_LENGTH));
    }
  }
  const controlPlaneNodes = count(errs, 'controlPlaneNodes', body.controlPlaneNodes, DEFAULT_SANDBOX.controlPlaneNodes);
  const workerNodes = count(errs, 'workerNodes', body.workerNodes, DEFAULT_SANDBOX.workerNodes);
  const total = controlPlaneNodes + workerNodes;
  if (policy.maxNodes && total > policy.maxNodes) {
    errs.push(field.invalid('workerNodes', workerNodes, `a sandbox may have at most ${policy.maxNodes} nodes (controlPlaneNodes + workerNodes)`));
  } else if (total < 1 && errs.length === 0) {
    errs.push(field.invalid('workerNodes', workerNodes, 'a sandbox needs at least one node (controlPlaneNodes + workerNodes)'));
  }
  const nodeCapacity = { ...DEFAULT_SANDBOX.nodeCapacity };
  if (cap !== undefined) {
    if (!isObject(cap)) errs.push(field.typeInvalid('nodeCapacity', cap, 'must be an object with cpu, memory and pods'));
    else {
      nodeCapacity.cpu = quantity(errs, 'nodeCapacity.cpu', cap.cpu, nodeCapacity.cpu, false);
      nodeCapacity.memory = quantity(errs, 'nodeCapacity.memory', cap.memory, nodeCapacity.memory, true);
      nodeCapacity.pods = quantity(errs, 'nodeCapacity.pods', cap.pods, nodeCapacity.pods, true);
    }
  }
  let proxyMode = DEFAULT_SANDBOX.proxyMode;
  if (body.proxyMode !== undefined) {
    if (typeof body.proxyMode !== 'string' || !PROXY_MODES.includes(body.proxyMode)) errs.push(field.notSupported('proxyMode', body.proxyMode, PROXY_MODES));
    else proxyMode = body.proxyMode as SandboxSpec['proxyMode'];
  }
  const network = {
    serviceCIDR: body.serviceCIDR ?? DEFAULT_SANDBOX.serviceCIDR,
    podCIDR: body.podCIDR ?? DEFAULT_SANDBOX.podCIDR,
    loadBalancerCIDR: body.loadBalancerCIDR ?? DEFAULT_SANDBOX.loadBalancerCIDR,
  };
  errs.push(...networkPlanErrors(network));
  let ttlSeconds: number | undefined = policy.defaultTtlSeconds || undefined;
  if (body.ttlSeconds !== undefined) {
    const t = body.ttlSeconds;
    if (typeof t !== 'number' || !Number.isInteger(t)) errs.push(field.typeInvalid('ttlSeconds', t, 'must be an integer'));
    else if (t < 1) errs.push(field.invalid('ttlSeconds', t, 'must be greater than or equal to 1'));
    else ttlSeconds = t;
  }
  // With a maximum configured, no sandbox lives forever.
  if (ttlSeconds === undefined && policy.maxTtlSeconds) ttlSeconds = policy.maxTtlSeconds;
  if (ttlSeconds !== undefined && policy.maxTtlSeconds && ttlSeconds > policy.maxTtlSeconds) {
    errs.push(field.invalid('ttlSeconds', ttlSeconds, `must be less than or equal to ${policy.maxTtlSeconds}`));
  }
  if (errs.length) throw errors.invalid('Sandbox', '', name ?? '', errs);
  return { name, spec: { controlPlaneNodes, workerNodes, nodeCapacity, proxyMode, ...(network as Pick<SandboxSpec, 'serviceCIDR' | 'podCIDR' | 'loadBalancerCIDR'>) }, ttlSeconds };
}
