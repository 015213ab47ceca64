#!/usr/bin/env node
// The launcher behind `npm start`: development CA + certificate, bootstrap token, `wrangler dev` over
// HTTPS, readiness wait, ./kubeconfig, then a line containing `ready`.
//
// Environment overrides:
//   PORT                     listen port (default 8787), host is always 127.0.0.1
//   KUBEDO_STATE_DIR         state folder (default <project>/.kubedo): certs/, persist/, token
//   KUBECONFIG_OUT           where the kubeconfig goes (default ./kubeconfig)
//   KUBEDO_WRANGLER_CONFIG   wrangler config file (default <project>/wrangler.toml)
//   KUBEDO_READY_TIMEOUT_MS  how long to wait for /clusters/default/readyz (default 60000)
//   KUBEDO_INSPECTOR_PORT    devtools inspector port (default: a free port)
//   KUBEDO_LOG_REQUESTS=1    show wrangler's per-request log lines (hidden by default)
//   KUBEDO_VERBOSE=1         pass wrangler's output through unfiltered
//   KUBEDO_OPERATOR_TOKEN, KUBEDO_SANDBOX_*  sandbox API mode, limits and TTLs (README "Sandboxes"),
//                            passed to the Worker as vars (with the bootstrap token, through the private
//                            file <state>/worker.env, never on a command line)
//   KUBEDO_PROFILE=1         the Worker logs where controllers and store writes spend their time (README "Benchmarks")
//   KUBEDO_STOP_ON_STDIN_CLOSE=1  stop (like SIGTERM) when stdin reaches EOF: a parent process (the
//                            e2e global setup) keeps a pipe open, so if it dies nothing is left running
//   KUBEDO_REMOVE_ON_ORPHAN  a folder to delete after such a stdin-EOF stop (the e2e temporary folder)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HOST = '127.0.0.1';
const SANDBOX = 'default';

const env = process.env;
// A closed stdout/stderr (the parent or a pipe reader went away) must not crash the launcher before
// it has stopped wrangler.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
const truthy = (v) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

function log(msg) {
  process.stdout.write(`kubedo: ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`kubedo: error: ${msg}\n`);
  process.exit(1);
}

function parsePort(value, name) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`${name}=${value} is not a valid port`);
  return n;
}

const PORT = parsePort(env.PORT || '8787', 'PORT');
const STATE_DIR = path.resolve(env.KUBEDO_STATE_DIR || path.join(ROOT, '.kubedo'));
const KUBECONFIG_OUT = path.resolve(env.KUBECONFIG_OUT || 'kubeconfig');
const WRANGLER_CONFIG = path.resolve(env.KUBEDO_WRANGLER_CONFIG || path.join(ROOT, 'wrangler.toml'));
const READY_TIMEOUT_MS = Number(env.KUBEDO_READY_TIMEOUT_MS || 60000);
const BASE_URL = `https://${HOST}:${PORT}`;
const SERVER = `${BASE_URL}/clusters/${SANDBOX}`;

// ---------------------------------------------------------------------------------------------
// State: certificates and token

function writePrivate(file, data) {
  fs.writeFileSync(file, data, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const DAY = 86400e3;

/** A certificate is reusable while it is valid for at least another 30 days. */
function fresh(x509) {
  return new Date(x509.validTo).getTime() - Date.now() > 30 * DAY && new Date(x509.validFrom).getTime() <= Date.now();
}

async function ensureCerts(dir) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    cert: path.join(dir, 'server.crt'),
    key: path.join(dir, 'server.key'),
  };
  const selfsigned = require('selfsigned');
  const now = Date.now();

  let caCert = readIfExists(files.caCert);
  let caKey = readIfExists(files.caKey);
  let caOk = false;
  if (caCert && caKey) {
    try {
      const x = new crypto.X509Certificate(caCert);
      caOk = x.ca && fresh(x) && x.checkPrivateKey(crypto.createPrivateKey(caKey));
    } catch {
      caOk = false;
    }
  }
  if (!caOk) {
    log(`generating development CA in ${dir}`);
    const ca = await selfsigned.generate(
      [
        { name: 'commonName', value: 'kubedo development CA' },
        { name: 'organizationName', value: 'kubedo' },
      ],
      {
        keySize: 2048,
        algorithm: 'sha256',
        notBeforeDate: new Date(now - 3600e3),
        notAfterDate: new Date(now + 3650 * DAY),
        extensions: [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        ],
      },
    );
    caCert = ca.cert;
    caKey = ca.private;
    writePrivate(files.caKey, caKey);
    fs.writeFileSync(files.caCert, caCert);
  }

  let cert = readIfExists(files.cert);
  let key = readIfExists(files.key);
  let leafOk = false;
  if (caOk && cert && key) {
    try {
      const x = new crypto.X509Certificate(cert);
      const ca = new crypto.X509Certificate(caCert);
      leafOk =
        fresh(x) &&
        x.checkIssued(ca) &&
        x.verify(ca.publicKey) &&
        x.checkIP(HOST) !== undefined &&
        x.checkHost('localhost') !== undefined &&
        x.checkPrivateKey(crypto.createPrivateKey(key));
    } catch {
      leafOk = false;
    }
  }
  if (!leafOk) {
    log('generating server certificate for 127.0.0.1, localhost');
    const leaf = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 3600e3),
      notAfterDate: new Date(now + 365 * DAY),
      ca: { key: caKey, cert: caCert },
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    cert = leaf.cert;
    key = leaf.private;
    writePrivate(files.key, key);
    fs.writeFileSync(files.cert, cert);
  }
  return { ...files, caPem: caCert };
}

function ensureToken(file) {
  const existing = readIfExists(file)?.trim();
  if (existing && /^[0-9a-f]{64,}$/.test(existing)) return existing;
  const token = crypto.randomBytes(32).toString('hex');
  writePrivate(file, token + '\n');
  return token;
}

// ---------------------------------------------------------------------------------------------
// Ports

function canListen(port, host) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function freePort(host) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Readiness

function probe(url, token, agent, timeoutMs) {
  return new Promise((resolve) => {
    const req = https.request(
      url,
      { method: 'GET', agent, headers: { authorization: `Bearer ${token}` }, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', (e) => resolve({ error: e }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e }));
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// wrangler output filter: hide the bindings table (it lists the token variable), start-up chatter,
// wrangler's own "Ready on" line (only our line may say ready) and per-request logs.

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const REQUEST_LOG = /^\[wrangler:info\] [A-Z]+ \S+ \d{3}\b/;

function makeFilter(out) {
  const verbose = truthy(env.KUBEDO_VERBOSE);
  const showRequests = truthy(env.KUBEDO_LOG_REQUESTS);
  let inBindings = false;
  let inIndentedBlock = false;
  let partial = '';
  const line = (raw) => {
    if (verbose) return out.write(raw + '\n');
    const s = raw.replace(ANSI, '').trimEnd();
    if (inBindings) {
      if (s.trim() === '') inBindings = false;
      return;
    }
    if (inIndentedBlock) {
      if (/^\s/.test(s) || s === '') return;
      inIndentedBlock = false;
    }
    if (s.startsWith('Your Worker has access to the following bindings')) {
      inBindings = true;
      return;
    }
    // The cron notice (with its indented continuation lines): the README documents how to fire crons.
    if (/Scheduled Workers are not automatically triggered/.test(s)) {
      inIndentedBlock = true;
      return;
    }
    if (s.trim() === '') return;
    if (/^Using custom certificate at/.test(s)) return;
    if (/Starting local server/.test(s)) return;
    // Hot reloads: wrangler says "updated and ready"; only our line may say ready.
    if (/^⎔ Reloading local server/.test(s)) return;
    if (/^⎔ Local server updated and ready/.test(s)) return out.write('kubedo: worker code reloaded\n');
    if (/^\[wrangler:info\] Ready on /.test(s)) return;
    if (/^\s*⛅️ wrangler/.test(s) || /^─+$/.test(s)) return;
    if (!showRequests && REQUEST_LOG.test(s)) return;
    out.write(raw + '\n');
  };
  return {
    write(chunk) {
      partial += chunk;
      const lines = partial.split(/\r?\n/);
      partial = lines.pop();
      for (const l of lines) line(l);
    },
    flush() {
      if (partial) line(partial);
      partial = '';
    },
  };
}

// ---------------------------------------------------------------------------------------------

function kubeconfigYaml({ caPem, token }) {
  const name = `kubedo-${SANDBOX}`;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: { server: SERVER, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}

/** Sandbox configuration from our environment (operator token, KUBEDO_SANDBOX_*): the Worker's vars. */
function sandboxVars() {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if ((k === 'KUBEDO_OPERATOR_TOKEN' || k === 'KUBEDO_PROFILE' || k.startsWith('KUBEDO_SANDBOX_')) && v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

/**
 * The Worker's secrets and configuration as a private dotenv file for `wrangler dev --env-file`
 * (it overrides wrangler.toml's [vars]): tokens on a command line (`--var`) would show in `ps` to
 * every user of the machine.
 */
function writeWorkerEnv(file, vars) {
  const lines = [];
  for (const [k, v] of Object.entries(vars)) {
    if (/[\r\n]/.test(v)) fail(`${k} must be a single line`);
    lines.push(v.includes("'") ? `${k}="${v}"` : `${k}='${v}'`);
  }
  writePrivate(file, `${lines.join('\n')}\n`);
  return file;
}

async function main() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    fail(`wrangler needs Node.js >= 22.12, this is ${process.version}: run \`npm start\` (it uses the node@22 devDependency) or node_modules/.bin/node ${path.relative(process.cwd(), fileURLToPath(import.meta.url))}`);
  }
  if (!fs.existsSync(WRANGLER_CONFIG)) fail(`wrangler config not found: ${WRANGLER_CONFIG}`);
  fs.mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  const persistDir = path.join(STATE_DIR, 'persist');
  fs.mkdirSync(persistDir, { recursive: true });
  const certs = await ensureCerts(path.join(STATE_DIR, 'certs'));
  const token = ensureToken(path.join(STATE_DIR, 'token'));

  if (!(await canListen(PORT, HOST))) {
    fail(`port ${PORT} on ${HOST} is already in use (another kubedo or wrangler?); set PORT to use another one`);
  }
  const inspectorPort = env.KUBEDO_INSPECTOR_PORT
    ? parsePort(env.KUBEDO_INSPECTOR_PORT, 'KUBEDO_INSPECTOR_PORT')
    : await freePort(HOST);

  // Run wrangler's CLI directly on this Node (bin/wrangler.js would add a middle process that, if it
  // dies, orphans the real CLI and workerd).
  const wranglerDir = path.dirname(require.resolve('wrangler/package.json'));
  const cliJs = path.join(wranglerDir, 'wrangler-dist', 'cli.js');
  const wranglerEntry = fs.existsSync(cliJs) ? ['--no-warnings', cliJs] : [path.join(wranglerDir, 'bin', 'wrangler.js')];
  const args = [
    ...wranglerEntry,
    'dev',
    '--config', WRANGLER_CONFIG,
    '--ip', HOST,
    '--port', String(PORT),
    '--local-protocol', 'https',
    '--https-key-path', certs.key,
    '--https-cert-path', certs.cert,
    '--persist-to', persistDir,
    '--inspector-port', String(inspectorPort),
    '--show-interactive-dev-session=false',
    // The CA clients trust (kubeconfig certificate-authority-data, kube-root-ca.crt).
    '--var', `KUBEDO_CA_DATA:${Buffer.from(certs.caPem).toString('base64')}`,
    '--env-file', writeWorkerEnv(path.join(STATE_DIR, 'worker.env'), { KUBEDO_BOOTSTRAP_TOKEN: token, ...sandboxVars() }),
  ];
  const childEnv = {
    ...env,
    CI: env.CI ?? 'true',
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: env.WRANGLER_HIDE_BANNER ?? 'true',
    WRANGLER_NO_SKILLS_UPDATE_PROMPTS: 'true',
    // No network fetch of the Request.cf object at start-up: use miniflare's placeholder.
    CLOUDFLARE_CF_FETCH_ENABLED: env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
    DO_NOT_TRACK: env.DO_NOT_TRACK ?? '1',
  };

  log(`starting wrangler dev on ${BASE_URL} (state: ${STATE_DIR})`);
  // Same process group as this launcher (not detached): killing our group stops wrangler and workerd.
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const outFilter = makeFilter(process.stdout);
  const errFilter = makeFilter(process.stderr);
  child.stdout.setEncoding('utf8').on('data', (c) => outFilter.write(c));
  child.stderr.setEncoding('utf8').on('data', (c) => errFilter.write(c));

  let stopping = false;
  let exited = false;
  let failed = false;
  let killTimer;
  const stop = (signal) => {
    if (exited) return;
    if (stopping) {
      // A second Ctrl-C: don't wait for a graceful shutdown.
      child.kill('SIGKILL');
      return;
    }
    stopping = true;
    child.kill(signal);
    killTimer = setTimeout(() => child.kill('SIGKILL'), 10000);
    killTimer.unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGTERM'));
  let orphaned = false;
  if (truthy(env.KUBEDO_STOP_ON_STDIN_CLOSE)) {
    const onClose = () => {
      if (stopping || exited) return;
      orphaned = true;
      process.stderr.write('kubedo: stdin closed (parent gone); stopping\n');
      stop('SIGTERM');
    };
    process.stdin.on('end', onClose).on('close', onClose).on('error', onClose);
    process.stdin.resume();
  }

  child.on('error', (e) => fail(`could not start wrangler: ${e.message}`));
  child.on('exit', (code, signal) => {
    exited = true;
    clearTimeout(killTimer);
    outFilter.flush();
    errFilter.flush();
    if (orphaned && env.KUBEDO_REMOVE_ON_ORPHAN) {
      // workerd may still be flushing into persist/ for a moment after wrangler exits.
      setTimeout(() => {
        try {
          fs.rmSync(env.KUBEDO_REMOVE_ON_ORPHAN, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
        } catch {
          /* best effort */
        }
        process.exit(code ?? 0);
      }, 500);
      return;
    }
    if (failed) process.exit(1);
    if (stopping) process.exit(code ?? 0);
    process.stderr.write(`kubedo: error: wrangler exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`})\n`);
    process.exit(code || 1);
  });

  // Wait for readiness.
  const agent = new https.Agent({ ca: certs.caPem, keepAlive: false });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  for (;;) {
    if (exited || stopping) return;
    const r = await probe(`${SERVER}/readyz`, token, agent, 2000);
    if (exited || stopping) return;
    if (r.status === 200) break;
    last = r.error ? r.error.message : `HTTP ${r.status}: ${r.body.slice(0, 200)}`;
    if (Date.now() > deadline) {
      process.stderr.write(
        `kubedo: error: ${SERVER}/readyz did not answer 200 within ${Math.round(READY_TIMEOUT_MS / 1000)} s (last: ${last})\n`,
      );
      failed = true;
      stop('SIGTERM');
      return;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  agent.destroy();

  fs.mkdirSync(path.dirname(KUBECONFIG_OUT), { recursive: true });
  writePrivate(KUBECONFIG_OUT, kubeconfigYaml({ caPem: certs.caPem, token }));
  const rel = path.relative(process.cwd(), KUBECONFIG_OUT);
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `./${rel}` : KUBECONFIG_OUT;
  process.stdout.write(`kubedo ready: ${SERVER} — KUBECONFIG=${shown} kubectl get nodes\n`);
}

main().catch((e) => fail(e?.stack || String(e)));
