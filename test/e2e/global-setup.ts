/// <reference types="node" />
// vitest globalSetup for the e2e project: one `npm start`-style launcher (wrangler dev over HTTPS) per
// run, on a free port, with throwaway state, kubeconfig and kubectl cache folders.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the kubeconfig written by the launcher (sandbox `default`, bearer token, CA data). */
    kubeconfig: string;
    /** API server URL of sandbox `default`: https://127.0.0.1:PORT/clusters/default */
    server: string;
    /** Origin of the emulator: https://127.0.0.1:PORT */
    baseUrl: string;
    /** Bootstrap admin bearer token (accepted for sandbox `default`). */
    token: string;
    /** PEM of the development CA that signed the server certificate. */
    caPem: string;
    /** Path of that CA's PEM file. */
    caPath: string;
    /** Per-run folder for kubectl caches (use one subfolder per kubectl version). */
    cacheDir: string;
    /** Per-run temporary folder (state, kubeconfig, caches); removed on teardown. */
    tmpDir: string;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const READY_TIMEOUT_MS = Number(process.env.KUBEDO_E2E_READY_TIMEOUT_MS || 90000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export default async function setup(project: TestProject) {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubedo-e2e-'));
  const stateDir = path.join(tmpDir, 'state');
  const kubeconfig = path.join(tmpDir, 'kubeconfig');
  const cacheDir = path.join(tmpDir, 'kubectl-cache');
  fs.mkdirSync(cacheDir, { recursive: true });
  const port = await freePort();

  const child = spawn(process.execPath, [path.join(ROOT, 'src', 'cli', 'start.mjs')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      KUBEDO_STATE_DIR: stateDir,
      KUBECONFIG_OUT: kubeconfig,
      // We hold the launcher's stdin open; if vitest dies without teardown, EOF makes it stop and clean up.
      KUBEDO_STOP_ON_STDIN_CLOSE: '1',
      ...(process.env.KUBEDO_E2E_KEEP ? {} : { KUBEDO_REMOVE_ON_ORPHAN: tmpDir }),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // own process group: teardown kills launcher, wrangler and workerd together
  });

  child.stdin!.on('error', () => {
    /* the launcher exited */
  });

  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
    if (process.env.KUBEDO_E2E_VERBOSE) process.stderr.write(chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  let tornDown = false;
  // If vitest itself goes away without running the teardown, don't leave wrangler/workerd behind.
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    process.off('exit', onExit);
    killGroup(child, 'SIGTERM');
    if (!(await waitExit(child, 10_000))) {
      killGroup(child, 'SIGKILL');
      await waitExit(child, 5_000);
    }
    // Stragglers in the group (workerd) after the launcher exited.
    killGroup(child, 'SIGKILL');
    if (!process.env.KUBEDO_E2E_KEEP) fs.rmSync(tmpDir, { recursive: true, force: true });
    else process.stderr.write(`kubedo e2e: kept ${tmpDir}\n`);
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`kubedo launcher did not print "kubedo ready" within ${READY_TIMEOUT_MS / 1000} s`)),
        READY_TIMEOUT_MS,
      );
      const onData = () => {
        if (/^kubedo ready\b/m.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`kubedo launcher exited before ready (${signal ?? `code ${code}`})`));
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  } catch (e) {
    await teardown();
    throw new Error(`${(e as Error).message}\n--- launcher output ---\n${output}`);
  }

  // After ready: surface later output only when asked (KUBEDO_E2E_VERBOSE), but keep collecting it.
  const caPath = path.join(stateDir, 'certs', 'ca.crt');
  const baseUrl = `https://127.0.0.1:${port}`;
  project.provide('kubeconfig', kubeconfig);
  project.provide('server', `${baseUrl}/clusters/default`);
  project.provide('baseUrl', baseUrl);
  project.provide('token', fs.readFileSync(path.join(stateDir, 'token'), 'utf8').trim());
  project.provide('caPem', fs.readFileSync(caPath, 'utf8'));
  project.provide('caPath', caPath);
  project.provide('cacheDir', cacheDir);
  project.provide('tmpDir', tmpDir);

  child.once('exit', (code, signal) => {
    if (!tornDown) {
      process.stderr.write(
        `kubedo e2e: launcher exited during the run (${signal ?? `code ${code}`})\n--- launcher output (tail) ---\n${output.slice(-20_000)}\n`,
      );
    }
  });

  return teardown;
}
