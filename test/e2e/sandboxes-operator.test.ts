/// <reference types="node" />
// An operator-mode deployment started the way users start it: `npm start`'s launcher with
// KUBEDO_SANDBOX_CREATION=operator, KUBEDO_OPERATOR_TOKEN and a KUBEDO_SANDBOX_* limit in its
// environment (it passes them to wrangler as vars). Its own launcher instance, reusing the run's
// development CA so that the same trust works; real kubectl 1.33 against the sandbox it creates.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, kubectl, kubectlPath } from './kubectl';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OPERATOR = 'e2e-operator-secret';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

let child: ChildProcess | undefined;
let base = '';
let dir = '';

function stop() {
  if (child?.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

beforeAll(async () => {
  dir = path.join(inject('tmpDir'), 'operator-mode');
  fs.mkdirSync(path.join(dir, 'state'), { recursive: true });
  // The same CA as the run's main instance (the launcher reuses valid certificates it finds).
  fs.cpSync(path.join(inject('tmpDir'), 'state', 'certs'), path.join(dir, 'state', 'certs'), { recursive: true });
  const port = await freePort();
  base = `https://127.0.0.1:${port}`;
  child = spawn(process.execPath, [path.join(ROOT, 'src', 'cli', 'start.mjs')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      KUBEDO_STATE_DIR: path.join(dir, 'state'),
      KUBECONFIG_OUT: path.join(dir, 'kubeconfig'),
      KUBEDO_STOP_ON_STDIN_CLOSE: '1',
      KUBEDO_SANDBOX_CREATION: 'operator',
      KUBEDO_OPERATOR_TOKEN: OPERATOR,
      KUBEDO_SANDBOX_MAX_NODES: '3',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdin!.on('error', () => {});
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`operator-mode launcher not ready:\n${output}`)), 110_000);
    const onData = (c: Buffer) => {
      output += c.toString('utf8');
      if (/^kubedo ready\b/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`operator-mode launcher exited (${code}):\n${output}`));
    });
  });
}, 120_000);

afterAll(() => stop());

/** Command lines of every process in the launcher's process group (Linux /proc). */
function groupCommandLines(pgid: number): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Field 5 of /proc/PID/stat (after the parenthesised command name) is the process group.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      out.push(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

describe.skipIf(!kubectlPath('1.33'))('operator mode through npm start', () => {
  it('only the operator token creates; the limits from the environment apply; kubectl works on the result', async () => {
    const post = (token: string | null, body: object = { workerNodes: 1 }) => api(`${base}/v1/sandboxes`, { method: 'POST', token, body });
    expect((await post(null)).status).toBe(401);
    const tooBig = await post(OPERATOR, { workerNodes: 5 }); // KUBEDO_SANDBOX_MAX_NODES=3 reached the Worker
    expect([tooBig.status, tooBig.json().reason]).toEqual([422, 'Invalid']);
    const made = await post(OPERATOR, { name: 'op-e2e', workerNodes: 1 });
    expect(made.status, made.body).toBe(201);
    const sb = made.json<{ id: string; token: string; kubeconfig: string }>();
    const denied = await post(sb.token);
    expect([denied.status, denied.json().message]).toEqual([403, 'sandboxes is forbidden: only the operator may create sandboxes']);

    const file = path.join(dir, `kubeconfig-${sb.id}`);
    fs.writeFileSync(file, sb.kubeconfig, { mode: 0o600 });
    const nodes = await kubectl('1.33', ['get', 'nodes', '-o', 'name'], { env: { KUBECONFIG: file } });
    expect(nodes.stdout.trim().split('\n')).toEqual(['node/op-e2e-control-plane', 'node/op-e2e-worker']);

    // The tokens reached the Worker through a private file, not a command line other users can read.
    const group = groupCommandLines(child!.pid!);
    expect(group.some((c) => c.includes('wrangler'))).toBe(true);
    for (const c of group) {
      expect(c).not.toContain(OPERATOR);
      expect(c).not.toContain(fs.readFileSync(path.join(dir, 'state', 'token'), 'utf8').trim());
    }
    expect(fs.statSync(path.join(dir, 'state', 'worker.env')).mode & 0o077).toBe(0);

    expect((await api(`${base}/v1/sandboxes/${sb.id}`, { method: 'DELETE', token: OPERATOR })).status).toBe(200);
    await kubectl('1.33', ['get', 'nodes'], { env: { KUBECONFIG: file }, expectFail: true });
  });
});
