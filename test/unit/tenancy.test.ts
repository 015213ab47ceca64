import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import journal from '../../migrations/registry/meta/_journal.json';
import { StatusError } from '../../src/api/status';
import { renderKubeconfig } from '../../src/tenancy/kubeconfig';
import { checkQuota, DEFAULT_LIMITS, limitsFrom, RateLimiter, takeToken, type SandboxLimits } from '../../src/tenancy/limits';
import { NEVER_REPORTED, OVERDUE_GRACE_MS, REFRESH_MS, reportDue, type Reported } from '../../src/tenancy/load-report';
import { REGISTRY_MIGRATIONS, statementsOf } from '../../src/tenancy/migrations';
import { policyFrom } from '../../src/tenancy/policy';
import type { Env } from '../../src/env';
import { parseSandboxRequest } from '../../src/tenancy/spec';
import { base32, hashToken, isSandboxId, newSandboxId, newToken, timingSafeEqual } from '../../src/tenancy/tokens';

describe('tokens and ids', () => {
  it('base32 follows RFC 4648 (lower case, no padding)', () => {
    const enc = (s: string) => base32(new TextEncoder().encode(s));
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'my'],
      ['fo', 'mzxq'],
      ['foo', 'mzxw6'],
      ['foob', 'mzxw6yq'],
      ['fooba', 'mzxw6ytb'],
      ['foobar', 'mzxw6ytboi'],
    ];
    for (const [input, out] of cases) expect(enc(input), input).toBe(out);
  });

  it('sandbox ids are 26-character DNS labels, random', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = newSandboxId();
      expect(id).toMatch(/^[a-z][a-z2-7]{25}$/);
      expect(isSandboxId(id)).toBe(true);
      ids.add(id);
    }
    expect(ids.size).toBe(200);
    for (const bad of ['default', '', 'A'.repeat(26), `1${'a'.repeat(25)}`, 'a'.repeat(27), `${'a'.repeat(25)}-`, '../etc/passwd']) {
      expect(isSandboxId(bad), bad).toBe(false);
    }
  });

  it('tokens carry 256 random bits and hash to SHA-256 hex', async () => {
    const t = newToken();
    expect(t).toMatch(/^kdo_[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(t);
    // FIPS 180-2 test vector.
    expect(await hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('timingSafeEqual', () => {
    expect(timingSafeEqual('abc', 'abc')).toBe(true);
    expect(timingSafeEqual('abc', 'abd')).toBe(false);
    expect(timingSafeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('renderKubeconfig', () => {
  it('has the server, CA data, token and a context named after the sandbox', () => {
    const y = YAML.parse(renderKubeconfig({ name: 'dev', server: 'https://127.0.0.1:8787/clusters/abc', caData: 'Q0E=', token: 'kdo_x' }));
    expect(y).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kubedo-dev', cluster: { server: 'https://127.0.0.1:8787/clusters/abc', 'certificate-authority-data': 'Q0E=' } }],
      users: [{ name: 'kubedo-dev', user: { token: 'kdo_x' } }],
      contexts: [{ name: 'kubedo-dev', context: { cluster: 'kubedo-dev', user: 'kubedo-dev' } }],
      'current-context': 'kubedo-dev',
      preferences: {},
    });
  });

  it('without a token or CA the entries are left out', () => {
    const y = YAML.parse(renderKubeconfig({ name: 'dev', server: 'https://x/clusters/abc' }));
    expect(y.users[0].user).toEqual({});
    expect(y.clusters[0].cluster).toEqual({ server: 'https://x/clusters/abc' });
  });
});

describe('rate limiter', () => {
  const rate = { perSecond: 2, burst: 3 };
  it('takeToken: full at first, refills at the rate, never beyond the burst', () => {
    const steps: [number, boolean, number][] = [
      // [time ms, allowed, retry-after s]
      [0, true, 0],
      [0, true, 0],
      [0, true, 0],
      [0, false, 1],
      [499, false, 1],
      [500, true, 0], // one token after 0.5 s at 2/s
      [500, false, 1],
      [60_000, true, 0], // refilled to the burst, not 120
      [60_000, true, 0],
      [60_000, true, 0],
      [60_000, false, 1],
    ];
    let bucket;
    for (const [t, ok, retry] of steps) {
      const r = takeToken(bucket, rate, t);
      expect([t, r.ok, r.retryAfterSeconds]).toEqual([t, ok, retry]);
      bucket = r.bucket;
    }
  });

  it('Retry-After rounds the wait up to whole seconds', () => {
    const slow = { perSecond: 1 / 60, burst: 1 };
    const first = takeToken(undefined, slow, 0);
    expect(takeToken(first.bucket, slow, 0)).toMatchObject({ ok: false, retryAfterSeconds: 60 });
    expect(takeToken(first.bucket, slow, 30_000)).toMatchObject({ ok: false, retryAfterSeconds: 30 });
    expect(takeToken(first.bucket, slow, 59_500)).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    expect(takeToken(first.bucket, slow, 60_000).ok).toBe(true);
  });

  it('RateLimiter keeps its bucket', () => {
    const l = new RateLimiter({ perSecond: 1, burst: 2 });
    expect([l.take(0).ok, l.take(0).ok, l.take(0).ok, l.take(1000).ok]).toEqual([true, true, false, true]);
  });
});

describe('limits', () => {
  it('limitsFrom reads the vars, ignoring empty and bad values', () => {
    expect(limitsFrom({})).toEqual(DEFAULT_LIMITS);
    expect(limitsFrom({ KUBEDO_SANDBOX_MAX_PODS: '10', KUBEDO_SANDBOX_MAX_NODES: '', KUBEDO_SANDBOX_MAX_WATCHES: 'x', KUBEDO_SANDBOX_REQUESTS_PER_SECOND: '0' })).toEqual({
      ...DEFAULT_LIMITS,
      maxPods: 10,
      requestsPerSecond: 0,
    });
  });

  const limits: SandboxLimits = { ...DEFAULT_LIMITS, maxObjects: 10, maxBytes: 1000, maxPods: 3, maxNodes: 2 };
  const usage = (objects: number, bytes: number, counts: Record<string, number> = {}, system: Record<string, number> = {}) => ({
    objects,
    bytes,
    count: (r: string) => counts[r] ?? 0,
    system: (r: string) => system[r] ?? 0,
  });
  const cases: [string, Parameters<typeof checkQuota>[1], Parameters<typeof checkQuota>[2], string | undefined][] = [
    ['a create under every limit', usage(5, 100), { resource: 'configmaps', namespace: 'default', name: 'a', type: 'ADDED', bytesDelta: 50 }, undefined],
    ['the object limit', usage(10, 100), { resource: 'configmaps', namespace: 'default', name: 'a', type: 'ADDED', bytesDelta: 50 }, 'configmaps "a" is forbidden: exceeded sandbox quota: requested: objects=1, used: objects=10, limited: objects=10'],
    ['the pod limit', usage(5, 100, { pods: 3 }), { resource: 'pods', namespace: 'default', name: 'p', type: 'ADDED', bytesDelta: 50 }, 'pods "p" is forbidden: exceeded sandbox quota: requested: pods=1, used: pods=3, limited: pods=3'],
    ['the node limit', usage(5, 100, { nodes: 2 }), { resource: 'nodes', namespace: '', name: 'n', type: 'ADDED', bytesDelta: 50 }, 'nodes "n" is forbidden: exceeded sandbox quota: requested: nodes=1, used: nodes=2, limited: nodes=2'],
    ['the byte limit on an update that grows', usage(5, 990), { resource: 'deployments.apps', namespace: 'default', name: 'd', type: 'MODIFIED', bytesDelta: 20 }, 'deployments "d" is forbidden: exceeded sandbox quota: requested: bytes=20, used: bytes=990, limited: bytes=1000'],
    ['an update that shrinks over the limit', usage(10, 2000), { resource: 'configmaps', namespace: 'default', name: 'a', type: 'MODIFIED', bytesDelta: -5 }, undefined],
    ['a delete at every limit', usage(10, 2000, { pods: 3 }), { resource: 'pods', namespace: 'default', name: 'p', type: 'DELETED', bytesDelta: -100 }, undefined],
    ['kube-system pods do not count toward the pod limit', usage(5, 100, { pods: 5 }, { pods: 3 }), { resource: 'pods', namespace: 'default', name: 'p', type: 'ADDED', bytesDelta: 50 }, undefined],
    ['the sandbox add-ons may always start their pods', usage(5, 100, { pods: 6 }, { pods: 3 }), { resource: 'pods', namespace: 'kube-system', name: 'coredns', type: 'ADDED', bytesDelta: 50 }, undefined],
    ['the pod limit counts user pods only', usage(5, 100, { pods: 6 }, { pods: 3 }), { resource: 'pods', namespace: 'default', name: 'p', type: 'ADDED', bytesDelta: 50 }, 'pods "p" is forbidden: exceeded sandbox quota: requested: pods=1, used: pods=3, limited: pods=3'],
    ['updates of pods at the pod limit', usage(5, 100, { pods: 3 }), { resource: 'pods', namespace: 'default', name: 'p', type: 'MODIFIED', bytesDelta: 10 }, undefined],
  ];
  for (const [what, u, w, message] of cases) {
    it(`checkQuota: ${what}`, () => {
      if (!message) return expect(() => checkQuota(limits, u, w)).not.toThrow();
      try {
        checkQuota(limits, u, w);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(StatusError);
        expect((e as StatusError).status).toMatchObject({ code: 403, reason: 'Forbidden', message });
      }
    });
  }

  it('0 means unlimited', () => {
    expect(() => checkQuota({ ...limits, maxObjects: 0, maxBytes: 0 }, usage(1e9, 1e12), { resource: 'configmaps', namespace: 'default', name: 'a', type: 'ADDED', bytesDelta: 5 })).not.toThrow();
  });
});

describe('parseSandboxRequest', () => {
  const policy = { maxNodes: 10, defaultTtlSeconds: 0, maxTtlSeconds: 0 };
  const status = (body: unknown, p = policy) => {
    try {
      parseSandboxRequest(body, p);
    } catch (e) {
      return (e as StatusError).status;
    }
    return undefined;
  };

  it('defaults: 1 control-plane + 3 workers, 8 cpu / 16Gi / 110 pods, iptables, no TTL', () => {
    expect(parseSandboxRequest(undefined, policy)).toEqual({
      name: undefined,
      spec: { controlPlaneNodes: 1, workerNodes: 3, nodeCapacity: { cpu: '8', memory: '16Gi', pods: '110' }, proxyMode: 'iptables', serviceCIDR: '10.96.0.0/12', podCIDR: '10.244.0.0/16', loadBalancerCIDR: '172.18.255.0/24' },
      ttlSeconds: undefined,
    });
  });

  it('takes every field', () => {
    expect(
      parseSandboxRequest({ name: 'dev', controlPlaneNodes: 0, workerNodes: 5, nodeCapacity: { cpu: '500m', memory: 4294967296, pods: '20' }, proxyMode: 'ipvs', ttlSeconds: 60 }, policy),
    ).toEqual({ name: 'dev', spec: { controlPlaneNodes: 0, workerNodes: 5, nodeCapacity: { cpu: '500m', memory: '4294967296', pods: '20' }, proxyMode: 'ipvs', serviceCIDR: '10.96.0.0/12', podCIDR: '10.244.0.0/16', loadBalancerCIDR: '172.18.255.0/24' }, ttlSeconds: 60 });
  });

  it('takes a network plan: service, pod and load-balancer CIDRs', () => {
    expect(parseSandboxRequest({ serviceCIDR: '10.100.0.0/16', podCIDR: '192.168.0.0/16', loadBalancerCIDR: '172.20.0.0/24' }, policy).spec).toMatchObject({
      serviceCIDR: '10.100.0.0/16',
      podCIDR: '192.168.0.0/16',
      loadBalancerCIDR: '172.20.0.0/24',
    });
    expect(status({ serviceCIDR: '10.96.0.0' })?.message).toBe('Sandbox "" is invalid: serviceCIDR: Invalid value: "10.96.0.0": must be an IPv4 CIDR of /30 or larger, such as "10.96.0.0/12"');
    expect(status({ podCIDR: '10.244.0.0/28' })?.message).toContain('podCIDR: Invalid value: "10.244.0.0/28": must be an IPv4 CIDR of /26 or larger');
    expect(status({ podCIDR: '10.96.0.0/16' })?.message).toContain('podCIDR: Invalid value: "10.96.0.0/16": may not overlap serviceCIDR');
  });

  const bad: [string, unknown, number, string][] = [
    ['not an object', [1], 400, 'the request body must be a JSON object'],
    ['unknown field', { nodes: 3 }, 400, 'strict decoding error: unknown field "nodes"'],
    ['unknown capacity field', { nodeCapacity: { gpu: 1 } }, 400, 'strict decoding error: unknown field "nodeCapacity.gpu"'],
    ['bad name', { name: 'Dev_1' }, 422, 'Sandbox "Dev_1" is invalid: name: Invalid value: "Dev_1": a lowercase RFC 1123 label'],
    ['name too long', { name: 'a'.repeat(41) }, 422, 'name: Too long: may not be more than 40 bytes'],
    ['too many nodes', { workerNodes: 10 }, 422, 'workerNodes: Invalid value: 10: a sandbox may have at most 10 nodes'],
    ['no nodes', { controlPlaneNodes: 0, workerNodes: 0 }, 422, 'a sandbox needs at least one node'],
    ['negative count', { workerNodes: -1 }, 422, 'workerNodes: Invalid value: -1: must be greater than or equal to 0'],
    ['fractional count', { workerNodes: 1.5 }, 422, 'workerNodes: Invalid value: 1.5: must be an integer'],
    ['bad cpu', { nodeCapacity: { cpu: 'lots' } }, 422, 'nodeCapacity.cpu: Invalid value: "lots": must be a quantity'],
    ['fractional pods', { nodeCapacity: { pods: '1.5' } }, 422, 'nodeCapacity.pods: Invalid value: "1.5": must be an integer'],
    ['proxy mode', { proxyMode: 'nftables' }, 422, 'proxyMode: Unsupported value: "nftables": supported values: "iptables", "ipvs"'],
    ['ttl', { ttlSeconds: 0 }, 422, 'ttlSeconds: Invalid value: 0: must be greater than or equal to 1'],
  ];
  for (const [what, body, code, message] of bad) {
    it(`rejects ${what} with ${code}`, () => {
      const s = status(body);
      expect(s?.code).toBe(code);
      expect(s?.message).toContain(message);
    });
  }

  it('applies the default and maximum TTL', () => {
    expect(parseSandboxRequest({}, { ...policy, defaultTtlSeconds: 600 }).ttlSeconds).toBe(600);
    expect(parseSandboxRequest({}, { ...policy, maxTtlSeconds: 3600 }).ttlSeconds).toBe(3600);
    expect(status({ ttlSeconds: 7200 }, { ...policy, maxTtlSeconds: 3600 })?.message).toContain('ttlSeconds: Invalid value: 7200: must be less than or equal to 3600');
  });
});

describe('registry migrations', () => {
  it('bundles every migration drizzle-kit generated, in order', () => {
    expect(REGISTRY_MIGRATIONS.map((m) => m.name)).toEqual(journal.entries.map((e: { tag: string }) => `${e.tag}.sql`));
  });

  it('splits statements at drizzle-kit breakpoints', () => {
    expect(statementsOf('CREATE TABLE a (x);\n--> statement-breakpoint\nCREATE INDEX i ON a (x);--> statement-breakpoint\n')).toEqual(['CREATE TABLE a (x);', 'CREATE INDEX i ON a (x);']);
  });
});

describe('policyFrom', () => {
  const env = (vars: Partial<Env>) => vars as Env;
  it('open by default, operator mode for anything else (fail closed)', () => {
    expect(policyFrom(env({})).mode).toBe('open');
    expect(policyFrom(env({ KUBEDO_SANDBOX_CREATION: '' })).mode).toBe('open');
    expect(policyFrom(env({ KUBEDO_SANDBOX_CREATION: 'Open' })).mode).toBe('open');
    expect(policyFrom(env({ KUBEDO_SANDBOX_CREATION: 'operator' })).mode).toBe('operator');
    expect(policyFrom(env({ KUBEDO_SANDBOX_CREATION: 'closed' })).mode).toBe('operator');
  });

  it('creation rate, TTLs and the node cap from the vars', () => {
    expect(policyFrom(env({}))).toEqual({ mode: 'open', createRate: { perSecond: 10 / 60, burst: 20 }, maxPerOwner: 50, maxNodes: 100, defaultTtlSeconds: 0, maxTtlSeconds: 0 });
    expect(
      policyFrom(
        env({
          KUBEDO_SANDBOX_CREATE_PER_MINUTE: '60',
          KUBEDO_SANDBOX_CREATE_BURST: '0',
          KUBEDO_SANDBOX_MAX_PER_OWNER: '0',
          KUBEDO_SANDBOX_MAX_NODES: '8',
          KUBEDO_SANDBOX_DEFAULT_TTL_SECONDS: '600',
          KUBEDO_SANDBOX_MAX_TTL_SECONDS: 'x',
        }),
      ),
    ).toEqual({ mode: 'open', createRate: { perSecond: 1, burst: 1 }, maxPerOwner: 0, maxNodes: 8, defaultTtlSeconds: 600, maxTtlSeconds: 0 });
  });
});

describe('reportDue: when a sandbox tells the registry its next deadline', () => {
  const now = 10_000_000;
  const at = (nextDue: number | null, when: number): Reported => ({ nextDue, at: when });
  const cases: [string, Reported, number | null, boolean][] = [
    ['idle stays idle: nothing to write', NEVER_REPORTED, null, false],
    ['idle → busy: write at once', NEVER_REPORTED, now + 5, true],
    ['busy → idle: write at once', at(now - 10, now - 1), null, true],
    ['unchanged deadline: nothing (an overdue one is what the cron is for)', at(now - 100_000, now - 100_000), now - 100_000, false],
    ['a later deadline while the report is still ahead: nothing', at(now + 1000, now - 1), now + 5000, false],
    ['work far earlier than the reported expiry: write', at(now + 3_600_000, now - 1), now + 10, true],
    ['earlier, but within the grace: nothing', at(now + OVERDUE_GRACE_MS - 1, now - 1), now, false],
    ['stale report, last write long ago: refresh', at(now - 5, now - REFRESH_MS), now + 10, true],
    ['stale report, written just now: wait (a busy sandbox writes rarely)', at(now - 5, now - 1000), now + 10, false],
    ['stale report, next deadline far ahead: refresh (buys a quiet stretch)', at(now - 5, now - 1000), now + REFRESH_MS, true],
  ];
  for (const [what, last, next, want] of cases) {
    it(what, () => expect(reportDue(last, next, now)).toBe(want));
  }

  it('a busy sandbox alarmed every 100 ms for 10 minutes writes at most once per REFRESH_MS', () => {
    let last = NEVER_REPORTED;
    let writes = 0;
    for (let t = now; t < now + 600_000; t += 100) {
      if (reportDue(last, t + 100, t)) {
        last = { nextDue: t + 100, at: t };
        writes++;
      }
      // The cron never finds it overdue.
      expect(last.nextDue!).toBeGreaterThan(t - OVERDUE_GRACE_MS);
    }
    expect(writes).toBeLessThanOrEqual(600_000 / REFRESH_MS + 1);
  });
});
