// discovery.k8s.io/v1: endpointslices. Discovery facts as kube-apiserver 1.33 serves them, printer as
// pkg/printers/internalversion, defaults after pkg/apis/discovery/v1/defaults.go, strategy after
// pkg/registry/discovery/endpointslice (generation on any change), validation worded like
// pkg/apis/discovery/validation.
import { age } from '../machinery/duration';
import { field, isDNS1123Label, isDNS1123Subdomain } from '../machinery/validation';
import { AGE_COLUMN, NAME_COLUMN, asArray, col, isObj, type Obj } from './common';
import { ALL_VERBS, type FieldError, type KObject, type ResourceDef } from './types';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;

/** listWithMoreString over at most 3 items. */
function listWithMore(items: string[]): string {
  const max = 3;
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.join(',') || '<unset>';
}

/** formatDiscoveryPorts */
export function formatDiscoveryPorts(ports: unknown): string {
  return listWithMore(
    asArray(ports).map((raw) => {
      const p = isObj(raw) ? raw : {};
      if (typeof p.port === 'number') return String(p.port);
      if (typeof p.name === 'string') return p.name;
      return '*';
    }),
  );
}

/** formatDiscoveryEndpoints */
export function formatDiscoveryEndpoints(endpoints: unknown): string {
  const addrs: string[] = [];
  for (const raw of asArray(endpoints)) if (isObj(raw)) for (const a of asArray(raw.addresses)) addrs.push(String(a));
  return listWithMore(addrs);
}

function parseIPv4(s: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map((x) => parseInt(x, 10));
  if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) return undefined;
  return parts;
}

function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const all = [...groups(halves[0]), ...(halves.length === 2 ? groups(halves[1]) : [])];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (i === all.length - 1 && g.includes('.')) {
      if (!parseIPv4(g)) return false;
      count += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) count += 1;
    else return false;
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

/** ValidateNonSpecialIP for an IPv4 address. */
function specialIPv4(parts: number[]): string | undefined {
  if (parts.every((p) => p === 0)) return 'may not be unspecified (0.0.0.0)';
  if (parts[0] === 127) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if (parts[0] === 169 && parts[1] === 254) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  if (parts[0] === 224 && parts[1] === 0 && parts[2] === 0) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  return undefined;
}

function specialIPv6(s: string): string | undefined {
  const lower = s.toLowerCase();
  if (/^[0:]+$/.test(lower)) return 'may not be unspecified (::)';
  if (/^(0{0,4}:){0,6}:?0{0,3}1$/.test(lower) && lower.replace(/[0:]/g, '') === '1') return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if (/^fe[89ab][0-9a-f]?:/.test(lower)) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  if (lower.startsWith('ff02:')) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  return undefined;
}

function validateAddress(addressType: string, address: string, path: string): FieldError[] {
  switch (addressType) {
    case 'IPv4': {
      const parts = parseIPv4(address);
      if (!parts) return [field.invalid(path, address, 'must be a valid IPv4 address')];
      const special = specialIPv4(parts);
      return special ? [field.invalid(path, address, special)] : [];
    }
    case 'IPv6': {
      if (!isIPv6(address)) return [field.invalid(path, address, 'must be a valid IPv6 address')];
      const special = specialIPv6(address);
      return special ? [field.invalid(path, address, special)] : [];
    }
    case 'FQDN': {
      // IsFullyQualifiedDomainName
      if (address.length === 0) return [field.required(path)];
      const name = address.endsWith('.') ? address.slice(0, -1) : address;
      const sub = isDNS1123Subdomain(name);
      if (sub.length) return sub.map((m) => field.invalid(path, name, m));
      const labels = name.split('.');
      if (labels.length < 2) return [field.invalid(path, name, 'should be a domain with at least two segments separated by dots')];
      return labels.flatMap((l) => isDNS1123Label(l).map((m) => field.invalid(path, l, m)));
    }
  }
  return [];
}

function validateEndpointSlice(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = typeof obj.addressType === 'string' ? obj.addressType : '';
  if (!addressType) errs.push(field.required('addressType'));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(field.notSupported('addressType', addressType, ADDRESS_TYPES));

  const endpoints = asArray(obj.endpoints);
  if (endpoints.length > MAX_ENDPOINTS) {
    errs.push(field.tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  } else {
    endpoints.forEach((raw, i) => {
      const ep: Obj = isObj(raw) ? raw : {};
      const p = `endpoints[${i}]`;
      const addresses = asArray(ep.addresses);
      if (addresses.length === 0) errs.push(field.required(`${p}.addresses`, 'must contain at least 1 address'));
      else if (addresses.length > MAX_ADDRESSES) errs.push(field.tooMany(`${p}.addresses`, addresses.length, MAX_ADDRESSES));
      addresses.forEach((a, j) => errs.push(...validateAddress(addressType, String(a), `${p}.addresses[${j}]`)));
      if (typeof ep.nodeName === 'string') for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(field.invalid(`${p}.nodeName`, ep.nodeName, m));
      if (typeof ep.hostname === 'string') for (const m of isDNS1123Label(ep.hostname)) errs.push(field.invalid(`${p}.hostname`, ep.hostname, m));
    });
  }

  const ports = asArray(obj.ports);
  if (ports.length > MAX_PORTS) {
    errs.push(field.tooMany('ports', ports.length, MAX_PORTS));
  } else {
    const names = new Set<string>();
    ports.forEach((raw, i) => {
      const port: Obj = isObj(raw) ? raw : {};
      const p = `ports[${i}]`;
      const name = typeof port.name === 'string' ? port.name : '';
      if (name.length > 0) for (const m of isDNS1123Label(name)) errs.push(field.invalid(`${p}.name`, name, m));
      if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
      else names.add(name);
      if (port.protocol === undefined || port.protocol === null) errs.push(field.required(`${p}.protocol`));
      else if (!PROTOCOLS.includes(port.protocol)) errs.push(field.notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
    });
  }
  return errs;
}

const endpointslices: ResourceDef = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  singular: 'endpointslice',
  kind: 'EndpointSlice',
  scope: 'Namespaced',
  verbs: ALL_VERBS,
  generation: true,
  printer: {
    columns: [
      NAME_COLUMN,
      col('AddressType', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.'),
      col('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'),
      col('Endpoints', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      return [
        obj.metadata.name ?? '',
        typeof obj.addressType === 'string' ? obj.addressType : '',
        formatDiscoveryPorts(obj.ports),
        formatDiscoveryEndpoints(obj.endpoints),
        age(obj.metadata.creationTimestamp, now),
      ];
    },
  },
  defaults(obj) {
    for (const raw of asArray(obj.ports)) {
      if (!isObj(raw)) continue;
      raw.name ??= '';
      raw.protocol ??= 'TCP';
    }
  },
  validate: validateEndpointSlice,
  validateUpdate: (obj, old) =>
    (obj.addressType ?? '') === (old.addressType ?? '') ? [] : [field.invalid('addressType', obj.addressType ?? '', 'field is immutable')],
};

export const resources: ResourceDef[] = [endpointslices];
