// networking.k8s.io/v1: ingresses, ingressclasses, networkpolicies, and (GA in 1.33) servicecidrs and
// ipaddresses. Scope, verbs, short names and subresources as kube-apiserver 1.33 serves them; printers
// as pkg/printers/internalversion; defaults and validation after pkg/apis/networking.
import { age } from '../machinery/duration';
import { field, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, validateImmutableField } from '../machinery/validation';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  asArray,
  col,
  isObj,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  specOf,
  statusSubresource,
  validateLabelSelector,
  type Obj,
} from './common';
import { ALL_VERBS, type FieldError, type ResourceDef } from './types';

const GROUP = 'networking.k8s.io';
const VERSION = 'v1';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** metav1.FormatLabelSelector: "<none>" for nil/empty, else the selector string with sorted keys. */
export function formatLabelSelector(sel: unknown): string {
  if (!isObj(sel)) return '<none>';
  const reqs: { key: string; text: string }[] = [];
  if (isObj(sel.matchLabels)) {
    for (const [k, v] of Object.entries(sel.matchLabels)) reqs.push({ key: k, text: `${k}=${v}` });
  }
  for (const raw of asArray(sel.matchExpressions)) {
    if (!isObj(raw)) continue;
    const key = String(raw.key ?? '');
    const values = asArray(raw.values).map(String).sort();
    switch (raw.operator) {
      case 'In':
        reqs.push({ key, text: `${key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        reqs.push({ key, text: `${key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return '<error>';
    }
  }
  // labels.internalSelector sorts requirements by key (stable for equal keys).
  const s = reqs
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i))
    .map((r) => r.text)
    .join(',');
  return s || '<none>';
}


/** validation.IsWildcardDNS1123Subdomain */
function isWildcardDNS1123Subdomain(v: string): string[] {
  const fmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${fmt}$`).test(v)) {
    errs.push(
      `a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '${fmt}')`,
    );
  }
  return errs;
}

// --- IP addresses ----------------------------------------------------------------------------

/** Parse an IP address into 4 or 16 bytes (Go's netip rules: no IPv4 leading zeros, no zones). */
export function parseIP(s: string): number[] | undefined {
  const v4 = (t: string): number[] | undefined => {
    const parts = t.split('.');
    if (parts.length !== 4) return undefined;
    const out: number[] = [];
    for (const p of parts) {
      if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
      const n = Number(p);
      if (n > 255) return undefined;
      out.push(n);
    }
    return out;
  };
  if (!s.includes(':')) return v4(s);
  let head = s;
  let tail4: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const t = v4(s.slice(lastColon + 1));
    if (!t) return undefined;
    tail4 = t;
    // Keep a "::" that ends right before the dotted quad; drop a single separating colon.
    head = s.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const groupsNeeded = 8 - tail4.length / 2;
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const parseGroups = (t: string): number[] | undefined => {
    if (t === '') return [];
    const out: number[] = [];
    for (const g of t.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (!left || !right || left.length + right.length >= groupsNeeded) return undefined;
    groups = [...left, ...new Array(groupsNeeded - left.length - right.length).fill(0), ...right];
  } else {
    const g = parseGroups(head);
    if (!g || g.length !== groupsNeeded) return undefined;
    groups = g;
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  return [...bytes, ...tail4];
}

/** netip.Addr.String(): RFC 5952 for IPv6 (IPv4-mapped as ::ffff:a.b.c.d). */
export function formatIP(b: number[]): string {
  if (b.length === 4) return b.join('.');
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `::ffff:${b.slice(12).join('.')}`;
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** Parse "ip/prefix" (netutils.ParseCIDRSloppy minus the leading-zero leniency). */
function parseCIDR(s: string): { ip: number[]; bits: number } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > ip.length * 8) return undefined;
  return { ip, bits };
}

function isValidCIDR(path: string, value: string): FieldError[] {
  return parseCIDR(value) ? [] : [field.invalid(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/** Does CIDR `outer` contain every address of CIDR `inner` (same family)? */
function cidrContains(outer: { ip: number[]; bits: number }, inner: { ip: number[]; bits: number }): boolean {
  if (outer.ip.length !== inner.ip.length || inner.bits < outer.bits) return false;
  for (let bit = 0; bit < outer.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((outer.ip[byte] & mask) !== (inner.ip[byte] & mask)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Ingress

const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const SUPPORTED_PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

/** validateIngressTypedLocalObjectReference (backend.resource, IngressClass parameters). */
function validateTypedLocalObjectReference(r: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  // apiGroup is a pointer upstream: present (even "") means checked.
  if (r.apiGroup != null) for (const m of isDNS1123Subdomain(String(r.apiGroup))) errs.push(field.invalid(`${path}.apiGroup`, r.apiGroup, m));
  if (!r.kind) errs.push(field.required(`${path}.kind`, 'kind is required'));
  else for (const m of isValidPathSegmentName(String(r.kind))) errs.push(field.invalid(`${path}.kind`, r.kind, m));
  if (!r.name) errs.push(field.required(`${path}.name`, 'name is required'));
  else for (const m of isValidPathSegmentName(String(r.name))) errs.push(field.invalid(`${path}.name`, r.name, m));
  return errs;
}

function validateIngressBackend(backend: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const b = isObj(backend) ? backend : {};
  const hasResource = b.resource != null;
  const hasService = b.service != null;
  if (hasResource && hasService) return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedLocalObjectReference(isObj(b.resource) ? b.resource : {}, `${path}.resource`);
  if (hasService) {
    const s = isObj(b.service) ? b.service : {};
    const name = typeof s.name === 'string' ? s.name : '';
    if (!name) errs.push(field.required(`${path}.service.name`, ''));
    else for (const m of isDNS1035Label(name)) errs.push(field.invalid(`${path}.service.name`, name, m));
    const port = isObj(s.port) ? s.port : {};
    const portName = typeof port.name === 'string' ? port.name : '';
    const portNumber = typeof port.number === 'number' ? port.number : 0;
    if (portName && portNumber) errs.push(field.invalid(path, '', 'cannot set both port name & port number'));
    else if (portName) for (const m of isValidPortName(portName)) errs.push(field.invalid(`${path}.service.port.name`, portName, m));
    else if (portNumber) for (const m of isValidPortNum(portNumber)) errs.push(field.invalid(`${path}.service.port.number`, portNumber, m));
    else errs.push(field.required(path, 'port name or number is required'));
    return errs;
  }
  return [field.invalid(path, '', 'resource or service backend is required')];
}

function validateHTTPIngressPath(p: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.pathType == null) return [field.required(`${path}.pathType`, 'pathType must be specified')];
  const value = typeof p.path === 'string' ? p.path : '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
      if (value.length > 0) {
        for (const seq of INVALID_PATH_SEQUENCES) {
          if (value.includes(seq)) errs.push(field.invalid(`${path}.path`, value, `must not contain '${seq}'`));
        }
        for (const suf of INVALID_PATH_SUFFIXES) {
          if (value.endsWith(suf)) errs.push(field.invalid(`${path}.path`, value, `cannot end with '${suf}'`));
        }
      }
      break;
    case 'ImplementationSpecific':
      if (value.length > 0 && !value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
      break;
    default:
      errs.push(field.notSupported(`${path}.pathType`, p.pathType, SUPPORTED_PATH_TYPES));
  }
  errs.push(...validateIngressBackend(p.backend, `${path}.backend`));
  return errs;
}

function validateIngressHost(host: string, path: string): { errs: FieldError[]; wildcard: boolean } {
  const errs: FieldError[] = [];
  if (parseIP(host)) errs.push(field.invalid(path, host, 'must be a DNS name, not an IP address'));
  if (host.includes('*')) {
    for (const m of isWildcardDNS1123Subdomain(host)) errs.push(field.invalid(path, host, m));
    return { errs, wildcard: true };
  }
  for (const m of isDNS1123Subdomain(host)) errs.push(field.invalid(path, host, m));
  return { errs, wildcard: false };
}

function validateIngressSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const rules = asArray(spec.rules);
  if (rules.length === 0 && spec.defaultBackend == null) {
    errs.push(field.invalid('spec', rules, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec.defaultBackend != null) errs.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((raw, i) => {
    const rule = isObj(raw) ? raw : {};
    const rp = `spec.rules[${i}]`;
    if (typeof rule.host === 'string' && rule.host.length > 0) errs.push(...validateIngressHost(rule.host, `${rp}.host`).errs);
    if (rule.http != null) {
      const http = isObj(rule.http) ? rule.http : {};
      const paths = asArray(http.paths);
      if (paths.length === 0) errs.push(field.required(`${rp}.http.paths`, ''));
      paths.forEach((p, j) => errs.push(...validateHTTPIngressPath(isObj(p) ? p : {}, `${rp}.http.paths[${j}]`)));
    }
  });
  asArray(spec.tls).forEach((raw, i) => {
    const tls = isObj(raw) ? raw : {};
    asArray(tls.hosts).forEach((h, j) => {
      const host = String(h);
      const hp = `spec.tls[${i}].hosts[${j}]`;
      if (host.includes('*')) for (const m of isWildcardDNS1123Subdomain(host)) errs.push(field.invalid(hp, host, m));
      else for (const m of isDNS1123Subdomain(host)) errs.push(field.invalid(hp, host, m));
    });
    if (typeof tls.secretName === 'string' && tls.secretName.length > 0) {
      for (const m of isDNS1123Subdomain(tls.secretName)) errs.push(field.invalid(`spec.tls[${i}].secretName`, tls.secretName, m));
    }
  });
  if (typeof spec.ingressClassName === 'string') {
    for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(field.invalid('spec.ingressClassName', spec.ingressClassName, m));
  }
  return errs;
}

/** formatHosts: up to three hosts, "*" when none, "+ N more..." beyond. */
function formatIngressHosts(rules: unknown[]): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const raw of rules) {
    const host = isObj(raw) && typeof raw.host === 'string' ? raw.host : '';
    if (list.length === max) more = true;
    if (!more && host.length !== 0) list.push(host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

/** ingressLoadBalancerStatusStringer (wide: kube-apiserver always renders tables wide). */
function ingressAddresses(status: unknown): string {
  const lb = isObj(status) && isObj(status.loadBalancer) ? status.loadBalancer : {};
  const set = new Set<string>();
  for (const raw of asArray(lb.ingress)) {
    if (!isObj(raw)) continue;
    if (raw.ip) set.add(String(raw.ip));
    else if (raw.hostname) set.add(String(raw.hostname));
  }
  return [...set].sort().join(',');
}

const ingresses: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'ingresses',
  singular: 'ingress',
  kind: 'Ingress',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  shortNames: ['ing'],
  subresources: [statusSubresource(GROUP, VERSION, 'Ingress')],
  generation: true,
  statusSubresource: true,
  printer: {
    columns: [
      NAME_COLUMN,
      col('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
      col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'Ports of TLS configurations that open'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      const className = typeof spec.ingressClassName === 'string' ? spec.ingressClassName : '<none>';
      const ports = asArray(spec.tls).length !== 0 ? '80, 443' : '80';
      return [obj.metadata.name, className, formatIngressHosts(asArray(spec.rules)), ingressAddresses(obj.status), ports, age(obj.metadata.creationTimestamp, now)];
    },
  },
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  validate(obj) {
    const errs = validateIngressSpec(specOf(obj));
    const annotation = obj.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
    const className = specOf(obj).ingressClassName;
    if (annotation !== undefined && typeof className === 'string' && annotation !== className) {
      errs.push(field.invalid(`metadata.annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified'));
    }
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// IngressClass

/** validation.IsDomainPrefixedPath */
function isDomainPrefixedPath(path: string, value: string): FieldError[] {
  if (value.length === 0) return [field.required(path, '')];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || host.length === 0 || rest.length === 0) {
    return [field.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  }
  const errs = isDNS1123Subdomain(host).map((m) => field.invalid(path, host, m));
  const fmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
  if (!new RegExp(`^${fmt}$`).test(rest)) errs.push(field.invalid(path, rest, `Invalid path (regex used for validation is '${fmt}')`));
  return errs;
}

const ingressclasses: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'ingressclasses',
  singular: 'ingressclass',
  kind: 'IngressClass',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  generation: true,
  printer: {
    columns: [
      NAME_COLUMN,
      col('Controller', 'Controller that is responsible for handling this class'),
      col('Parameters', 'A reference to a resource with additional parameters'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const spec = specOf(obj);
      let parameters = '<none>';
      if (isObj(spec.parameters)) {
        const p = spec.parameters;
        parameters = `${p.kind ?? ''}${typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : ''}/${p.name ?? ''}`;
      }
      return [obj.metadata.name, spec.controller ?? '', parameters, age(obj.metadata.creationTimestamp, now)];
    },
  },
  defaults(obj) {
    const spec = specOf(obj);
    if (isObj(spec.parameters) && spec.parameters.scope == null) spec.parameters.scope = 'Cluster';
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs: FieldError[] = [];
    const controller = typeof spec.controller === 'string' ? spec.controller : '';
    if (controller.length > 250) errs.push(field.tooLong('spec.controller', '', 250));
    errs.push(...isDomainPrefixedPath('spec.controller', controller));
    if (isObj(spec.parameters)) {
      const p = spec.parameters;
      const pp = 'spec.parameters';
      errs.push(...validateTypedLocalObjectReference(p, pp));
      if (p.scope == null) errs.push(field.required(`${pp}.scope`, ''));
      else if (p.scope !== 'Cluster' && p.scope !== 'Namespace') errs.push(field.notSupported(`${pp}.scope`, p.scope, ['Cluster', 'Namespace']));
      else if (p.scope === 'Namespace') {
        if (p.namespace == null) errs.push(field.required(`${pp}.namespace`, "`parameters.scope` is set to 'Namespace'"));
        else for (const m of isDNS1123Label(String(p.namespace))) errs.push(field.invalid(`${pp}.namespace`, p.namespace, m));
      } else if (p.namespace != null) {
        errs.push(field.forbidden(`${pp}.namespace`, "`parameters.scope` is set to 'Cluster'"));
      }
    }
    return errs;
  },
  validateUpdate(obj, old) {
    return validateImmutableField(specOf(obj).controller, specOf(old).controller, 'spec.controller');
  },
};

// ---------------------------------------------------------------------------------------------
// NetworkPolicy

function validateNetworkPolicyPort(port: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol != null && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
    errs.push(field.notSupported(`${path}.protocol`, port.protocol, ['TCP', 'UDP', 'SCTP']));
  }
  if (port.port != null) {
    if (typeof port.port === 'number') {
      for (const m of isValidPortNum(port.port)) errs.push(field.invalid(`${path}.port`, port.port, m));
      if (port.endPort != null) {
        if (port.endPort < port.port) errs.push(field.invalid(`${path}.endPort`, port.port, 'must be greater than or equal to `port`'));
        for (const m of isValidPortNum(port.endPort)) errs.push(field.invalid(`${path}.endPort`, port.endPort, m));
      }
    } else {
      if (port.endPort != null) errs.push(field.invalid(`${path}.endPort`, port.endPort, 'may not be specified when `port` is non-numeric'));
      for (const m of isValidPortName(String(port.port))) errs.push(field.invalid(`${path}.port`, port.port, m));
    }
  } else if (port.endPort != null) {
    errs.push(field.invalid(`${path}.endPort`, port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validateIPBlock(block: Obj, path: string): FieldError[] {
  const cidr = typeof block.cidr === 'string' ? block.cidr : '';
  if (!cidr) return [field.required(`${path}.cidr`, '')];
  const errs = isValidCIDR(`${path}.cidr`, cidr);
  const outer = parseCIDR(cidr);
  asArray(block.except).forEach((raw, i) => {
    const ex = String(raw);
    const ep = `${path}.except[${i}]`;
    const exErrs = isValidCIDR(ep, ex);
    errs.push(...exErrs);
    const inner = parseCIDR(ex);
    if (!exErrs.length && outer && inner && !(cidrContains(outer, inner) && inner.bits > outer.bits)) {
      errs.push(field.invalid(ep, ex, 'must be a strict subset of `cidr`'));
    }
  });
  return errs;
}

function validateNetworkPolicyPeer(peer: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (peer.podSelector != null) {
    n++;
    errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  }
  if (peer.namespaceSelector != null) {
    n++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  }
  if (peer.ipBlock != null) {
    n++;
    errs.push(...validateIPBlock(isObj(peer.ipBlock) ? peer.ipBlock : {}, `${path}.ipBlock`));
  }
  if (n === 0) errs.push(field.required(path, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock != null) errs.push(field.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

const networkpolicies: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'networkpolicies',
  singular: 'networkpolicy',
  kind: 'NetworkPolicy',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  shortNames: ['netpol'],
  generation: true,
  printer: {
    columns: [NAME_COLUMN, col('Pod-Selector', 'podSelector selects the pods to which this NetworkPolicy object applies.'), AGE_COLUMN],
    cells(obj, now) {
      return [obj.metadata.name, formatLabelSelector(specOf(obj).podSelector ?? {}), age(obj.metadata.creationTimestamp, now)];
    },
  },
  defaults(obj) {
    if (!isObj(obj.spec)) obj.spec = {};
    const spec = obj.spec as Obj;
    if (spec.podSelector == null) spec.podSelector = {};
    for (const dir of ['ingress', 'egress'] as const) {
      for (const rule of asArray(spec[dir])) {
        for (const port of asArray(isObj(rule) ? rule.ports : undefined)) {
          if (isObj(port) && port.protocol == null) port.protocol = 'TCP';
        }
      }
    }
    if (asArray(spec.policyTypes).length === 0) {
      spec.policyTypes = asArray(spec.egress).length !== 0 ? ['Ingress', 'Egress'] : ['Ingress'];
    }
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
    asArray(spec.ingress).forEach((raw, i) => {
      const rule = isObj(raw) ? raw : {};
      asArray(rule.ports).forEach((p, j) => errs.push(...validateNetworkPolicyPort(isObj(p) ? p : {}, `spec.ingress[${i}].ports[${j}]`)));
      asArray(rule.from).forEach((p, j) => errs.push(...validateNetworkPolicyPeer(isObj(p) ? p : {}, `spec.ingress[${i}].from[${j}]`)));
    });
    asArray(spec.egress).forEach((raw, i) => {
      const rule = isObj(raw) ? raw : {};
      asArray(rule.to).forEach((p, j) => errs.push(...validateNetworkPolicyPeer(isObj(p) ? p : {}, `spec.egress[${i}].to[${j}]`)));
      asArray(rule.ports).forEach((p, j) => errs.push(...validateNetworkPolicyPort(isObj(p) ? p : {}, `spec.egress[${i}].ports[${j}]`)));
    });
    const types = asArray(spec.policyTypes);
    if (types.length > 2) {
      errs.push(field.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
      return errs;
    }
    types.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') errs.push(field.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
    });
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// ServiceCIDR and IPAddress (networking.k8s.io/v1 since 1.33)

const servicecidrs: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'servicecidrs',
  singular: 'servicecidr',
  kind: 'ServiceCIDR',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  subresources: [statusSubresource(GROUP, VERSION, 'ServiceCIDR')],
  statusSubresource: true,
  printer: {
    columns: [
      NAME_COLUMN,
      col('CIDRs', 'cidrs defines the IP blocks in CIDR notation (e.g. "192.168.0.0/24" or "2001:db8::/64") from which to assign service cluster IPs.'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      return [obj.metadata.name, asArray(specOf(obj).cidrs).join(','), age(obj.metadata.creationTimestamp, now)];
    },
  },
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate(obj) {
    const cidrs = asArray(specOf(obj).cidrs).map(String);
    const p = 'spec.cidrs';
    if (cidrs.length === 0) return [field.required(p, 'at least one CIDR required')];
    if (cidrs.length > 2) return [field.invalid(p, obj.spec, 'may only hold up to 2 values')];
    if (cidrs.length === 2) {
      // netutils.IsDualStackCIDRStrings: both parse, one of each family.
      const a = parseCIDR(cidrs[0]);
      const b = parseCIDR(cidrs[1]);
      if (!a || !b || a.ip.length === b.ip.length) {
        return [field.invalid(p, obj.spec, 'may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64')];
      }
    }
    const errs: FieldError[] = [];
    cidrs.forEach((c, i) => errs.push(...isValidCIDR(`${p}[${i}]`, c)));
    return errs;
  },
  validateUpdate(obj, old) {
    const next = asArray(specOf(obj).cidrs);
    const prev = asArray(specOf(old).cidrs);
    const errs: FieldError[] = [];
    if (next.length === prev.length) {
      prev.forEach((c, i) => {
        if (c !== next[i]) errs.push(field.invalid(`spec.cidrs[${i}]`, next[i], 'field is immutable'));
      });
    } else if (prev.length === 1 && next.length === 2) {
      // Upgrading a single-stack ServiceCIDR to dual-stack keeps the first CIDR.
      if (prev[0] !== next[0]) errs.push(field.invalid('spec.cidrs[0]', next[0], 'field is immutable'));
    } else {
      errs.push(field.invalid('spec.cidrs', next, 'field is immutable'));
    }
    return errs;
  },
};

/** ValidateIPAddressName: the name is the address, in canonical form. */
export function ipAddressName(name: string): string[] {
  const ip = parseIP(name);
  if (!ip) return ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
  if (formatIP(ip) !== name) return ['must be a canonical format IP address'];
  return [];
}

const ipaddresses: ResourceDef = {
  group: GROUP,
  version: VERSION,
  resource: 'ipaddresses',
  singular: 'ipaddress',
  kind: 'IPAddress',
  scope: 'Cluster',
  verbs: ALL_VERBS,
  shortNames: ['ip'],
  nameValidator: ipAddressName,
  printer: {
    // Upstream defines no Age column for IPAddresses (`kubectl get ipaddress`: NAME PARENTREF).
    columns: [NAME_COLUMN, col('ParentRef', 'ParentRef references the resource that an IPAddress is attached to.')],
    cells(obj) {
      const ref = specOf(obj).parentRef;
      let parent = '<none>';
      if (isObj(ref)) {
        parent = (ref.group ? `${ref.resource ?? ''}.${ref.group}` : String(ref.resource ?? '')).toLowerCase();
        if (ref.namespace) parent += `/${ref.namespace}`;
        parent += `/${ref.name ?? ''}`;
      }
      return [obj.metadata.name, parent];
    },
  },
  validate(obj) {
    const ref = specOf(obj).parentRef;
    if (!isObj(ref)) return [field.required('spec.parentRef', '')];
    const p = 'spec.parentRef';
    const errs: FieldError[] = [];
    if (ref.group) for (const m of isDNS1123Subdomain(String(ref.group))) errs.push(field.invalid(`${p}.group`, ref.group, m));
    if (!ref.resource) errs.push(field.required(`${p}.resource`, ''));
    else for (const m of isValidPathSegmentName(String(ref.resource))) errs.push(field.invalid(`${p}.resource`, ref.resource, m));
    if (!ref.name) errs.push(field.required(`${p}.name`, ''));
    else for (const m of isValidPathSegmentName(String(ref.name))) errs.push(field.invalid(`${p}.name`, ref.name, m));
    if (ref.namespace) for (const m of isValidPathSegmentName(String(ref.namespace))) errs.push(field.invalid(`${p}.namespace`, ref.namespace, m));
    return errs;
  },
  validateUpdate(obj, old) {
    return validateImmutableField(specOf(obj).parentRef, specOf(old).parentRef, 'spec.parentRef');
  },
};

export const resources: ResourceDef[] = [ingressclasses, ingresses, ipaddresses, networkpolicies, servicecidrs];
