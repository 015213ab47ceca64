/// <reference types="node" />
// Helpers for e2e tests: real kubectl binaries, raw HTTPS requests, @kubernetes/client-node config.
// Everything points at the emulator started by global-setup.ts (values come from `inject`).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { describe, inject } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';

/** kubectl minor versions the e2e suite exercises (oldest supported, middle, newest). */
export const KUBECTL_VERSIONS = ['1.28', '1.31', '1.33'] as const;
export type KubectlVersionName = (typeof KUBECTL_VERSIONS)[number];

export interface KubectlBinary {
  version: string;
  path: string;
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * Folder holding the versioned binaries kubectl.1.MINOR: KUBEDO_KUBECTL_DIR, else the folder of the
 * real file behind `kubectl` on PATH (the Google Cloud SDK dispatcher sits beside them).
 */
export function kubectlDir(): string | undefined {
  if (process.env.KUBEDO_KUBECTL_DIR) return process.env.KUBEDO_KUBECTL_DIR;
  const k = which('kubectl');
  if (!k) return undefined;
  try {
    return path.dirname(fs.realpathSync(k));
  } catch {
    return undefined;
  }
}

/** Path of kubectl.<version> if installed (executable), else undefined. */
export function kubectlPath(version: string): string | undefined {
  const dir = kubectlDir();
  if (!dir) return undefined;
  const p = path.join(dir, `kubectl.${version}`);
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return p;
  } catch {
    return undefined;
  }
}

/** The installed ones among KUBECTL_VERSIONS (1.28, 1.31, 1.33). */
export function kubectlVersions(): KubectlBinary[] {
  const out: KubectlBinary[] = [];
  for (const version of KUBECTL_VERSIONS) {
    const p = kubectlPath(version);
    if (p) out.push({ version, path: p });
  }
  return out;
}

export interface KubectlOptions {
  /** Written to stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Kill the process after this long (default 30 s) and reject. */
  timeoutMs?: number;
  /** The command is expected to fail: reject if it exits 0 (by default a non-zero exit rejects). */
  expectFail?: boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function versionOf(bin: string): string {
  const m = /kubectl\.(\d+\.\d+)$/.exec(path.basename(bin));
  return m ? m[1] : 'default';
}

/**
 * Runs kubectl (no shell) against the emulator: KUBECONFIG from global setup and a per-version
 * KUBECACHEDIR inside the run's temporary folder. `bin` is a path or a version like "1.33".
 */
export function kubectl(bin: string, args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  if (/^\d+\.\d+$/.test(bin)) {
    const p = kubectlPath(bin);
    if (!p) return Promise.reject(new Error(`kubectl.${bin} is not installed`));
    bin = p;
  }
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const cacheDir = path.join(inject('cacheDir'), versionOf(bin));
  const env = {
    ...process.env,
    KUBECONFIG: inject('kubeconfig'),
    KUBECACHEDIR: cacheDir,
    ...opts.env,
  };
  const shown = `${path.basename(bin)} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      const details = `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
      if (timedOut) return reject(new Error(`\`${shown}\` timed out after ${timeoutMs} ms${details}`));
      if (opts.expectFail && result.code === 0) return reject(new Error(`\`${shown}\` succeeded but was expected to fail${details}`));
      if (!opts.expectFail && result.code !== 0) return reject(new Error(`\`${shown}\` exited ${result.code}${details}`));
      resolve(result);
    });
    child.stdin.on('error', () => {
      /* kubectl may exit before reading stdin */
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface KubectlContext extends KubectlBinary {
  /** kubectl(path, args, opts) for this version. */
  run(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
}

/**
 * Declares one describe block per kubectl version (1.28, 1.31, 1.33). A version that is not installed
 * shows up as a skipped block named "kubectl 1.xx (not installed)".
 */
export function describeKubectl(
  name: string,
  fn: (k: KubectlContext) => void,
  versions: readonly string[] = KUBECTL_VERSIONS,
): void {
  for (const version of versions) {
    const p = kubectlPath(version);
    const ctx: KubectlContext = {
      version,
      path: p ?? '',
      run: (args, opts) => (p ? kubectl(p, args, opts) : Promise.reject(new Error(`kubectl.${version} is not installed`))),
    };
    describe.skipIf(!p)(`${name} — kubectl ${version}${p ? '' : ' (not installed)'}`, () => fn(ctx));
  }
}

// ---------------------------------------------------------------------------------------------
// Raw HTTPS

export interface ApiInit {
  method?: string;
  headers?: Record<string, string>;
  /** String/Buffer sent as is; any other value is sent as JSON (content-type application/json). */
  body?: string | Buffer | Uint8Array | object;
  /** Bearer token; default the bootstrap admin token; null sends no Authorization header. */
  token?: string | null;
  timeoutMs?: number;
}

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json<T = any>(): T;
}

let agent: https.Agent | undefined;
function caAgent(): https.Agent {
  agent ??= new https.Agent({ ca: inject('caPem'), keepAlive: false });
  return agent;
}

/**
 * An HTTPS request to the emulator trusting the development CA. `p` is a path on the origin
 * (e.g. `/clusters/default/version`, `/v1/sandboxes`) or a full URL.
 */
export function api(p: string, init: ApiInit = {}): Promise<ApiResponse> {
  const url = /^https?:\/\//.test(p) ? p : inject('baseUrl') + (p.startsWith('/') ? p : `/${p}`);
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  const token = init.token === undefined ? inject('token') : init.token;
  if (token !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
    headers.authorization = `Bearer ${token}`;
  }
  let body: string | Buffer | Uint8Array | undefined;
  if (init.body !== undefined) {
    if (typeof init.body === 'string' || init.body instanceof Uint8Array) body = init.body;
    else {
      body = JSON.stringify(init.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
  }
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: init.method ?? 'GET', headers, agent: caAgent(), timeout: init.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json<T = any>(): T {
              try {
                return JSON.parse(text) as T;
              } catch {
                throw new Error(`${init.method ?? 'GET'} ${url} → ${res.statusCode}: body is not JSON: ${text.slice(0, 500)}`);
              }
            },
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${init.method ?? 'GET'} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------

/** A @kubernetes/client-node KubeConfig loaded from the run's kubeconfig file. */
export function clientNodeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(inject('kubeconfig'));
  return kc;
}

/** A DNS-1123 name unique to this run, for per-test namespaces and objects. */
export function uniqueName(prefix = 'e2e'): string {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}
