// Starts the emulator through the `npm start` launcher on a free port with throwaway state.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function launch() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubedo-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/start.mjs')], {
    cwd: tmp,
    detached: true,
    env: { ...process.env, PORT: String(port), KUBEDO_STATE_DIR: path.join(tmp, 'state'), KUBECONFIG_OUT: path.join(tmp, 'kubeconfig') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // BENCH_LOG=file keeps the emulator's output (with KUBEDO_PROFILE=1, the controllers' profile).
  if (process.env.BENCH_LOG) {
    const log = fs.createWriteStream(process.env.BENCH_LOG);
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  }
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`launcher not ready:\n${out}`)), 120_000);
    const onData = (d) => {
      out += d;
      if (/ready/.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`launcher exited ${code}:\n${out}`)));
  });
  // Everything a client needs is in the kubeconfig the launcher wrote.
  const kc = YAML.parse(fs.readFileSync(path.join(tmp, 'kubeconfig'), 'utf8'));
  const token = kc.users[0].user.token;
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8');
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 256 });
  const server = `https://127.0.0.1:${port}/clusters/default`;
  return {
    server,
    token,
    agent,
    async stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      await new Promise((r) => setTimeout(r, 500));
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** One HTTPS request; resolves with status and parsed JSON body. */
export function request(env, method, p, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      `${env.server}${p}`,
      { method, agent: env.agent, headers: { Authorization: `Bearer ${env.token}`, ...(data ? { 'Content-Type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/**
 * A watch stream: calls onEvent for each event line, and onEnd once when the server ends the
 * stream or the connection fails; returns a function closing it.
 */
export function watch(env, p, onEvent, onEnd = () => {}) {
  let ended = false;
  const end = () => {
    if (!ended) (ended = true), onEnd();
  };
  const req = https.request(`${env.server}${p}`, { agent: env.agent, headers: { Authorization: `Bearer ${env.token}` } }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (c) => {
      buf += c;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) onEvent(JSON.parse(line));
      }
    });
    res.on('end', end);
    res.on('error', end);
  });
  req.on('error', end);
  req.end();
  return () => req.destroy();
}
