// The simulated container shell, table-driven: command → stdout, stderr, exit code, for both image
// flavours, with a small in-memory network (one service, two pods) behind the hooks.
import { describe, expect, it } from 'vitest';
import { execCommand, execTTY, flavorOf, parse, tokenize, type DnsAnswer, type ShellHost, type ShellNet } from '../../src/kubelet/shell';
import { searchCandidates } from '../../src/network/dns';

const host = (flavor: 'busybox' | 'bash'): ShellHost => ({
  flavor,
  hostname: 'web-0',
  podIP: '10.244.1.5',
  env: [
    ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ['HOSTNAME', 'web-0'],
    ['WEB_SERVICE_HOST', '10.96.0.20'],
    ['HOME', '/root'],
  ],
  files: {
    '/etc/hosts': '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n10.244.1.5\tweb-0\n',
    '/etc/resolv.conf': 'search app.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    '/var/run/secrets/kubernetes.io/serviceaccount/namespace': 'app',
  },
  cwd: '/',
  nameservers: ['10.96.0.10'],
  search: ['app.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
  ndots: 5,
});

const RECORDS: Record<string, string> = { 'web.app.svc.cluster.local.': '10.96.0.20', 'db.other.svc.cluster.local.': '10.96.0.30' };
const net: ShellNet = {
  async resolve(qname, qtype): Promise<DnsAnswer> {
    const ip = RECORDS[qname];
    if (!ip) return { rcode: 'NXDOMAIN', answers: [] };
    return { rcode: 'NOERROR', answers: qtype === 'A' ? [{ name: qname, type: 'A', ttl: 30, data: ip }] : [] };
  },
  async http(ip, port, req) {
    if (ip === '10.96.0.20' && (port === 80 || port === 443)) return { ok: true, status: 200, headers: [['Content-Type', 'text/plain']], body: `Hostname: web-1\n${req.method} ${req.path}\n` };
    if (ip === '10.96.0.30') return { ok: false, error: 'timeout' };
    return { ok: false, error: 'refused' };
  },
};

async function run(argv: string[], flavor: 'busybox' | 'bash' = 'busybox', stdin?: string[]) {
  let out = '';
  let err = '';
  const lines = stdin ? [...stdin] : undefined;
  const code = await execCommand(argv, host(flavor), net, { write: (fd, t) => (fd === 1 ? (out += t) : (err += t)), readLine: lines ? async () => lines.shift() : undefined }, { sleep: async () => {} });
  return { out, err, code };
}

describe('commands', () => {
  it.each([
    [['hostname'], 'web-0\n', '', 0],
    [['hostname', '-i'], '10.244.1.5\n', '', 0],
    [['echo', 'a', 'b'], 'a b\n', '', 0],
    [['echo', '-n', 'x'], 'x', '', 0],
    [['printenv', 'WEB_SERVICE_HOST'], '10.96.0.20\n', '', 0],
    [['printenv', 'NOPE'], '', '', 1],
    [['whoami'], 'root\n', '', 0],
    [['pwd'], '/\n', '', 0],
    [['true'], '', '', 0],
    [['false'], '', '', 1],
    [['/bin/true'], '', '', 0],
    [['sleep', '1'], '', '', 0],
    [['cat', '/etc/resolv.conf'], 'search app.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n', '', 0],
    [['cat', '/nope'], '', "cat: can't open '/nope': No such file or directory\n", 1],
    [['ls', '/nope'], '', 'ls: /nope: No such file or directory\n', 1],
    [['foo'], '', 'sh: foo: not found\n', 127],
    [['bash'], '', 'sh: bash: not found\n', 127],
    [['sh', '-c', 'exit 3'], '', '', 3],
    [['sh', '-c', 'foo'], '', 'sh: foo: not found\n', 127],
    [['sh', '-c', 'echo $WEB_SERVICE_HOST; echo "$HOSTNAME" \'$HOME\''], '10.96.0.20\nweb-0 $HOME\n', '', 0],
    [['sh', '-c', 'false && echo no || echo yes'], 'yes\n', '', 0],
    [['sh', '-c', 'true && echo a; false; echo $?'], 'a\n1\n', '', 0],
    [['sh', '-c', 'X=1; echo $X; Y=2 printenv Y; printenv Y'], '1\n2\n', '', 1],
    [['sh', '-c', 'env | grep WEB'], 'WEB_SERVICE_HOST=10.96.0.20\n', '', 0],
    [['sh', '-c', 'cat /etc/hosts | tail -n 1'], '10.244.1.5\tweb-0\n', '', 0],
    [['sh', '-c', 'echo err >&2; echo hid > /dev/null; foo 2>/dev/null; echo $?'], '127\n', 'err\n', 0],
    [['sh', '-c', 'cd /etc && pwd && ls | head -n 1'], '/etc\nhosts\n', '', 0],
    [['sh', '-c', 'echo "unterminated'], '', 'sh: Unterminated quoted string\n', 2],
    [['ls', '/var/run/secrets/kubernetes.io/serviceaccount'], 'namespace\n', '', 0],
    [['cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace'], 'app', '', 0],
    [['curl', 'https://web'], '', 'curl: (60) SSL certificate problem: unable to get local issuer certificate\n', 60],
    [['curl', '-sk', 'https://web/'], 'Hostname: web-1\nGET /\n', '', 0],
  ] as [string[], string, string, number][])('busybox %j', async (argv, out, err, code) => {
    expect(await run(argv)).toEqual({ out, err, code });
  });

  it.each([
    [['foo'], '', 'bash: foo: command not found\n', 127],
    [['bash', '-c', 'foo'], '', 'bash: line 1: foo: command not found\n', 127],
    [['sh', '-c', 'foo'], '', 'sh: 1: foo: not found\n', 127],
    [['ls', '/nope'], '', "ls: cannot access '/nope': No such file or directory\n", 2],
    [['cat', '/nope'], '', 'cat: /nope: No such file or directory\n', 1],
  ] as [string[], string, string, number][])('bash image %j', async (argv, out, err, code) => {
    expect(await run(argv, 'bash')).toEqual({ out, err, code });
  });

  it('picks the flavour by image', () => {
    expect(['busybox', 'busybox:1.36', 'alpine:3.20', 'nginx:alpine', 'curlimages/curl'].map(flavorOf)).toEqual(['busybox', 'busybox', 'busybox', 'busybox', 'busybox']);
    expect(['nginx', 'debian:12', 'registry.k8s.io/pause:3.10', 'python:3.12'].map(flavorOf)).toEqual(['bash', 'bash', 'bash', 'bash']);
  });
});

describe('network tools', () => {
  it.each([
    [['curl', '-s', 'http://web/x'], 'Hostname: web-1\nGET /x\n', '', 0],
    [['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://10.96.0.20'], '200', '', 0],
    [['curl', 'http://nope'], '', 'curl: (6) Could not resolve host: nope\n', 6],
    [['curl', '-s', 'http://nope'], '', '', 6],
    [['curl', '-sS', 'http://web:8080'], '', /^curl: \(7\) Failed to connect to web port 8080 after \d+ ms: Couldn't connect to server\n$/, 7],
    [['curl', 'http://db.other'], '', /^curl: \(28\) Failed to connect to db\.other port 80 after \d+ ms: Timeout was reached\n$/, 28],
    [['wget', '-qO-', 'http://web.app.svc.cluster.local/'], 'Hostname: web-1\nGET /\n', '', 0],
    [['wget', '-qO-', 'http://nope'], '', "wget: bad address 'nope'\n", 1],
    [['wget', '-qO-', 'http://web:81'], '', "wget: can't connect to remote host (10.96.0.20): Connection refused\n", 1],
    [['nslookup', 'web'], 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.app.svc.cluster.local\nAddress: 10.96.0.20\n\n', '', 0],
    [['nslookup', 'nope'], 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n', "** server can't find nope: NXDOMAIN\n\n", 1],
    [['dig', '+short', 'web.app.svc.cluster.local'], '10.96.0.20\n', '', 0],
    [['dig', '+short', 'web'], '', '', 0],
    [['dig', '+short', '+search', 'web'], '10.96.0.20\n', '', 0],
  ] as [string[], string, string | RegExp, number][])('%j', async (argv, out, err, code) => {
    const r = await run(argv);
    expect(r.out).toBe(out);
    if (err instanceof RegExp) expect(r.err).toMatch(err);
    else expect(r.err).toBe(err);
    expect(r.code).toBe(code);
  });

  it('bind-style nslookup output on non-busybox images', async () => {
    const r = await run(['nslookup', 'web'], 'bash');
    expect(r.out).toBe('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tweb.app.svc.cluster.local\nAddress: 10.96.0.20\n\n');
  });

  it('dig prints the answer section with the status', async () => {
    const r = await run(['dig', 'web.app.svc.cluster.local']);
    expect(r.out).toContain(';; ->>HEADER<<- opcode: QUERY, status: NOERROR');
    expect(r.out).toContain('web.app.svc.cluster.local.\t\t30\tIN\tA\t10.96.0.20');
  });

  it.each([
    ['web', 5, ['web.app.svc.cluster.local.', 'web.svc.cluster.local.', 'web.cluster.local.', 'web.']],
    ['a.b.c.d.e.f', 5, ['a.b.c.d.e.f.', 'a.b.c.d.e.f.app.svc.cluster.local.', 'a.b.c.d.e.f.svc.cluster.local.', 'a.b.c.d.e.f.cluster.local.']],
    ['a.b.c.d.e', 5, ['a.b.c.d.e.app.svc.cluster.local.', 'a.b.c.d.e.svc.cluster.local.', 'a.b.c.d.e.cluster.local.', 'a.b.c.d.e.']],
    ['web.', 5, ['web.']],
    ['web.app', 1, ['web.app.', 'web.app.app.svc.cluster.local.', 'web.app.svc.cluster.local.', 'web.app.cluster.local.']],
  ] as [string, number, string[]][])('search list for %s with ndots %d', (name, ndots, expected) => {
    expect(searchCandidates(name, ['app.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots)).toEqual(expected);
  });
});

describe('sessions', () => {
  it('sh reads commands from stdin until exit', async () => {
    expect(await run(['sh'], 'busybox', ['echo one', 'exit 5', 'echo never'])).toEqual({ out: 'one\n', err: '', code: 5 });
    expect(await run(['sh'], 'busybox', ['false'])).toEqual({ out: '', err: '', code: 1 });
    expect(await run(['cat'], 'busybox', ['a', 'b'])).toEqual({ out: 'a\nb\n', err: '', code: 0 });
  });

  it('a TTY shell prints its prompt: busybox "/ # ", bash "root@host:/# ", dash "# "', async () => {
    for (const [flavor, shell, first, second] of [
      ['busybox', 'sh', '/ # ', '/etc # '],
      ['bash', 'bash', 'root@web-0:/# ', 'root@web-0:/etc# '],
      ['bash', 'sh', '# ', '# '],
    ] as const) {
      let out = '';
      const lines = ['cd /etc', 'exit'];
      const code = await execTTY([shell], host(flavor), net, { write: (_fd, t) => (out += t), readLine: async () => lines.shift() });
      expect(code).toBe(0);
      expect(out).toBe(`${first}${second}`);
    }
  });

  it('parses operators and quotes', () => {
    expect(tokenize(`a 'b c' "d $X" e\\ f`).map((t) => ('word' in t ? t.word.map((s) => s.text).join('') : t.op))).toEqual(['a', 'b c', 'd $X', 'e f']);
    expect(parse('a && b || c; d | e').map((p) => [p.join, p.cmds.length])).toEqual([[';', 1], ['&&', 1], ['||', 1], [';', 2]]);
  });
});
