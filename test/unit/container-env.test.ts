// What kubelet gives a container: service links, env with references and the downward API,
// /etc/hosts and /etc/resolv.conf per dnsPolicy and dnsConfig.
import { describe, expect, it } from 'vitest';
import { containerEnv, expandRefs, hostsFile, linkedServices, resolvConf, serviceEnvVars } from '../../src/kubelet/container-env';
import type { KObject } from '../../src/registry/types';

const svc = (name: string, ns: string, spec: object, created = '2026-01-01T00:00:00Z'): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, creationTimestamp: created },
  spec,
});
const pod = (spec: object = {}, ns = 'app'): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: ns, uid: 'u-1', labels: { app: 'web' } },
  spec: { nodeName: 'default-worker', containers: [{ name: 'c', image: 'nginx' }], ...spec },
  status: { podIP: '10.244.1.5', hostIP: '172.18.0.3' },
});

describe('service links', () => {
  it('are the docker-links variables kubelet writes', () => {
    const env = serviceEnvVars([svc('my-web', 'app', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }, { name: 'dns-udp', port: 53, protocol: 'UDP' }] })]);
    expect(env).toEqual([
      ['MY_WEB_SERVICE_HOST', '10.96.0.20'],
      ['MY_WEB_SERVICE_PORT', '80'],
      ['MY_WEB_SERVICE_PORT_HTTP', '80'],
      ['MY_WEB_SERVICE_PORT_DNS_UDP', '53'],
      ['MY_WEB_PORT', 'tcp://10.96.0.20:80'],
      ['MY_WEB_PORT_80_TCP', 'tcp://10.96.0.20:80'],
      ['MY_WEB_PORT_80_TCP_PROTO', 'tcp'],
      ['MY_WEB_PORT_80_TCP_PORT', '80'],
      ['MY_WEB_PORT_80_TCP_ADDR', '10.96.0.20'],
      ['MY_WEB_PORT_53_UDP', 'udp://10.96.0.20:53'],
      ['MY_WEB_PORT_53_UDP_PROTO', 'udp'],
      ['MY_WEB_PORT_53_UDP_PORT', '53'],
      ['MY_WEB_PORT_53_UDP_ADDR', '10.96.0.20'],
    ]);
    expect(serviceEnvVars([svc('headless', 'app', { clusterIP: 'None', ports: [{ port: 80 }] })])).toEqual([]);
  });

  it.each([
    ['services of the namespace that existed at start, plus default/kubernetes', {}, ['a', 'kubernetes']],
    ['only kubernetes with enableServiceLinks: false', { enableServiceLinks: false }, ['kubernetes']],
  ])('%s', (_n, spec, names) => {
    const nsServices = [svc('a', 'app', { clusterIP: '10.96.0.2' }), svc('later', 'app', { clusterIP: '10.96.0.3' }, '2026-06-01T00:00:00Z')];
    const kube = svc('kubernetes', 'default', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] });
    expect(linkedServices(pod(spec), nsServices, kube, Date.parse('2026-03-01T00:00:00Z')).map((s) => s.metadata.name)).toEqual(names);
  });
});

describe('container env', () => {
  it('resolves $(VAR) references, downward API fields, ConfigMaps and Secrets, in order', () => {
    const objects: Record<string, KObject> = {
      'configmaps/app/cfg': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { MODE: 'fast', LEVEL: '3' } },
      'secrets/app/sec': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { TOKEN: btoa('s3cret') } },
    };
    const reader = { get: (r: string, ns: string, n: string) => objects[`${r}/${ns}/${n}`] };
    const p = pod();
    const env = containerEnv(
      p,
      {
        name: 'c',
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
        env: [
          { name: 'URL', value: 'http://$(WEB_SERVICE_HOST):80/$(NOPE)' },
          { name: 'LIT', value: '$$(WEB_SERVICE_HOST)' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'TOKEN' } } },
        ],
      },
      reader,
      [['WEB_SERVICE_HOST', '10.96.0.20']],
      true,
    );
    expect(env).toEqual([
      ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ['HOSTNAME', 'web-0'],
      ['TERM', 'xterm'],
      ['CFG_MODE', 'fast'],
      ['CFG_LEVEL', '3'],
      ['URL', 'http://10.96.0.20:80/$(NOPE)'],
      ['LIT', '$(WEB_SERVICE_HOST)'],
      ['POD', 'web-0'],
      ['APP', 'web'],
      ['IP', '10.244.1.5'],
      ['TOKEN', 's3cret'],
      ['WEB_SERVICE_HOST', '10.96.0.20'],
      ['HOME', '/root'],
    ]);
  });

  it('expands references only to known variables', () => {
    expect(expandRefs('$(A)-$(B)-$$(A)', new Map([['A', '1']]))).toBe('1-$(B)-$(A)');
  });
});

describe('kubelet-managed files', () => {
  const HEADER = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  it.each([
    ['a plain pod', {}, `${HEADER}10.244.1.5\tweb-0\n`],
    ['hostname and subdomain', { hostname: 'db-0', subdomain: 'db' }, `${HEADER}10.244.1.5\tdb-0.db.app.svc.cluster.local\tdb-0\n`],
    ['host aliases', { hostAliases: [{ ip: '1.2.3.4', hostnames: ['foo.local', 'bar.local'] }] }, `${HEADER}10.244.1.5\tweb-0\n\n# Entries added by HostAliases.\n1.2.3.4\tfoo.local\tbar.local\n`],
  ])('/etc/hosts for %s', (_n, spec, text) => expect(hostsFile(pod(spec))).toBe(text));

  it.each([
    ['ClusterFirst (default)', {}, 'search app.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n'],
    ['Default', { dnsPolicy: 'Default' }, 'nameserver 172.18.0.1\n'],
    ['ClusterFirst with hostNetwork falls back to Default', { hostNetwork: true }, 'nameserver 172.18.0.1\n'],
    ['ClusterFirstWithHostNet', { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, 'search app.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n'],
    [
      'None with dnsConfig',
      { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['corp.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
      'search corp.example\nnameserver 1.1.1.1\noptions ndots:2 edns0\n',
    ],
    [
      'ClusterFirst plus dnsConfig',
      { dnsConfig: { searches: ['corp.example'], options: [{ name: 'ndots', value: '1' }] } },
      'search app.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:1\n',
    ],
  ])('/etc/resolv.conf for %s', (_n, spec, text) => expect(resolvConf(pod(spec)).text).toBe(text));
});
