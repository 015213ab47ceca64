// Pod IPs from the node's podCIDR (Calico-style host-local IPAM): the lowest free address, unique
// among the node's live pods, released when the pod goes away (computed, nothing to free).

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** First free host address of `cidr` (IPv4), skipping the network, gateway (.1) and broadcast. */
export function allocatePodIP(cidr: string, used: Iterable<string>): string | undefined {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!base || !Number.isInteger(bits) || bits < 8 || bits > 30) return undefined;
  const size = 2 ** (32 - bits);
  const network = Math.floor(ipToInt(base) / size) * size;
  const taken = new Set(used);
  for (let i = 2; i < size - 1; i++) {
    const ip = intToIp(network + i);
    if (!taken.has(ip)) return ip;
  }
  return undefined;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const size = 2 ** (32 - Number(bitsText));
  return Math.floor(ipToInt(base) / size) === Math.floor(ipToInt(ip) / size);
}
