// The simulated container's shell behind `kubectl exec`: argv + the container's environment →
// stdout/stderr and an exit code. Pure apart from two async hooks the caller supplies: DNS queries
// (answered by the sandbox's cluster DNS) and TCP connections (routed by the kube-proxy emulation).
//
// Two flavours, chosen by image: busybox/alpine images get busybox `sh` wording (`sh: foo: not
// found`, prompt `/ # `), every other image bash/dash wording (`bash: foo: command not found`,
// prompt `root@web:/# `). Every image has the same small tool set (curl, wget, nslookup, dig, ...).
import { isIPv4 } from '../network/cidr';
import { DNS_SERVICE_IP, searchCandidates } from '../network/dns';

export type ShellFlavor = 'busybox' | 'bash';

export interface DnsRecord {
  /** Absolute, with the trailing dot. */
  name: string;
  type: string;
  ttl: number;
  data: string;
}

export interface DnsAnswer {
  rcode: string;
  answers: DnsRecord[];
}

export interface HttpRequestOut {
  method: string;
  path: string;
  headers: [string, string][];
  body?: string;
}

export type ConnectResult =
  | { ok: true; status: number; headers: [string, string][]; body: string }
  | { ok: false; error: 'refused' | 'timeout' };

export interface ShellNet {
  /** One DNS question for an absolute name (trailing dot), as the pod's nameserver answers it. */
  resolve(qname: string, qtype: string): Promise<DnsAnswer>;
  /** An HTTP exchange over a TCP connection to ip:port from this pod. */
  http(ip: string, port: number, req: HttpRequestOut): Promise<ConnectResult>;
}

export interface ShellHost {
  flavor: ShellFlavor;
  hostname: string;
  podIP: string;
  /** The process environment, in order. */
  env: [string, string][];
  /** Files the container has (kubelet-managed /etc/hosts, /etc/resolv.conf, /etc/hostname, ...). */
  files: Record<string, string>;
  cwd: string;
  nameservers: string[];
  search: string[];
  ndots: number;
}

export interface ShellIO {
  write(fd: 1 | 2, text: string): void;
  /** The next stdin line (without the newline), undefined at EOF; absent when stdin is closed. */
  readLine?: () => Promise<string | undefined>;
}

interface Ctx {
  host: ShellHost;
  net: ShellNet;
  vars: Map<string, string>;
  exported: Set<string>;
  cwd: string;
  last: number;
  /** The shell's name for messages: "sh", "bash". */
  shellName: string;
  /** `-c` scripts prefix errors with "line 1:" (bash) or "1:" (dash). */
  scriptMode: boolean;
  exitRequested?: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** Output of one command: what it printed and its status. */
interface Out {
  out: string;
  err: string;
  code: number;
}

const ok = (out = ''): Out => ({ out, err: '', code: 0 });
const fail = (err: string, code = 1, out = ''): Out => ({ out, err, code });

export interface ExecOptions {
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** The longest `sleep` honoured (ms), so a session can't hold a connection forever. */
  maxSleepMs?: number;
}

/** The flavour an image's shell has. */
export function flavorOf(image: string): ShellFlavor {
  return /busybox|alpine|curlimages/.test(image) ? 'busybox' : 'bash';
}

// ---------------------------------------------------------------------------------------------
// Parsing: words with quotes, $VAR expansion, `;`, `&&`, `||`, `|`, simple redirections.

type Seg = { text: string; mode: 'plain' | 'single' | 'double' };
type Word = Seg[];
type Token = { word: Word } | { op: ';' | '&&' | '||' | '|' | '>' | '2>' | '2>&1' | '>&2' | '>>' | '&' };

export class ShellSyntaxError extends Error {}

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let cur: Word | undefined;
  const push = (text: string, mode: Seg['mode']) => {
    cur ??= [];
    const last = cur[cur.length - 1];
    if (last && last.mode === mode && mode === 'plain') last.text += text;
    else cur.push({ text, mode });
  };
  const end = () => {
    if (cur) tokens.push({ word: cur });
    cur = undefined;
  };
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      end();
      i++;
    } else if (c === '#' && !cur) {
      break;
    } else if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new ShellSyntaxError('Unterminated quoted string');
      push(line.slice(i + 1, j), 'single');
      i = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) {
          text += line[j] === '\\' && line[j + 1] === '$' ? '\\$' : line[j + 1];
          j += 2;
        } else text += line[j++];
      }
      if (j >= line.length) throw new ShellSyntaxError('Unterminated quoted string');
      push(text, 'double');
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 < line.length) push(line[i + 1], 'single');
      i += 2;
    } else if (line.startsWith('>&2', i) || (line.startsWith('1>&2', i) && !cur)) {
      end();
      tokens.push({ op: '>&2' });
      i += line.startsWith('>&2', i) ? 3 : 4;
    } else if (line.startsWith('&&', i) || line.startsWith('||', i) || line.startsWith('>>', i) || line.startsWith('2>&1', i) || (line.startsWith('2>', i) && !cur)) {
      const op = line.startsWith('2>&1', i) ? '2>&1' : line.startsWith('2>', i) && !cur ? '2>' : (line.slice(i, i + 2) as '&&' | '||' | '>>');
      end();
      tokens.push({ op });
      i += op.length;
    } else if (c === ';' || c === '|' || c === '>' || c === '&') {
      end();
      tokens.push({ op: c });
      i++;
    } else {
      push(c, 'plain');
      i++;
    }
  }
  end();
  return tokens;
}

function expandWord(w: Word, ctx: Ctx): string {
  let s = '';
  for (const seg of w) {
    if (seg.mode === 'single') s += seg.text;
    else s += expandVars(seg.text, ctx);
  }
  return s;
}

function expandVars(text: string, ctx: Ctx): string {
  return text.replace(/\\\$|\$\?|\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a?: string, b?: string) => {
    if (m === '\\$') return '$';
    if (m === '$?') return String(ctx.last);
    if (m === '$$') return '1';
    return ctx.vars.get((a ?? b)!) ?? '';
  });
}

interface Simple {
  words: Word[];
  stdout?: 'null' | 'file' | 'stderr';
  stderr?: 'null' | 'stdout';
}
interface Pipeline {
  cmds: Simple[];
  /** How this pipeline joins the previous one. */
  join: ';' | '&&' | '||';
}

export function parse(line: string): Pipeline[] {
  const toks = tokenize(line);
  const out: Pipeline[] = [];
  let join: Pipeline['join'] = ';';
  let cmds: Simple[] = [];
  let cur: Simple = { words: [] };
  const endCmd = () => {
    if (cur.words.length) cmds.push(cur);
    else if (cmds.length) throw new ShellSyntaxError('syntax error');
    cur = { words: [] };
  };
  const endPipe = (next: Pipeline['join']) => {
    endCmd();
    if (cmds.length) out.push({ cmds, join });
    else if (next !== ';') throw new ShellSyntaxError(`syntax error near unexpected token \`${next}'`);
    cmds = [];
    join = next;
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if ('word' in t) {
      cur.words.push(t.word);
      continue;
    }
    switch (t.op) {
      case ';':
      case '&':
        endPipe(';');
        break;
      case '&&':
      case '||':
        endPipe(t.op);
        break;
      case '|':
        endCmd();
        break;
      case '2>&1':
        cur.stderr = 'stdout';
        break;
      case '>&2':
        cur.stdout = 'stderr';
        break;
      case '>':
      case '>>':
      case '2>': {
        const target = toks[++i];
        if (!target || !('word' in target)) throw new ShellSyntaxError('syntax error: unexpected newline');
        const file = target.word.map((s) => s.text).join('');
        if (t.op === '2>') cur.stderr = file === '/dev/null' ? 'null' : cur.stderr;
        else cur.stdout = file === '/dev/null' ? 'null' : 'file';
        break;
      }
    }
  }
  endPipe(';');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running

function newCtx(host: ShellHost, net: ShellNet, opts: ExecOptions): Ctx {
  const vars = new Map(host.env);
  const max = opts.maxSleepMs ?? 300_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    host,
    net,
    vars,
    exported: new Set(vars.keys()),
    cwd: host.cwd,
    last: 0,
    shellName: host.flavor === 'busybox' ? 'sh' : 'bash',
    scriptMode: false,
    now: opts.now ?? (() => new Date()),
    sleep: (ms) => sleep(Math.min(ms, max)),
  };
}

/** The message for a command that is not there, in the current shell's words. */
function notFound(ctx: Ctx, name: string): string {
  if (ctx.shellName === 'sh' && ctx.host.flavor === 'bash') return `sh: ${ctx.scriptMode ? '1: ' : ''}${name}: not found\n`;
  if (ctx.shellName === 'bash') return `bash: ${ctx.scriptMode ? 'line 1: ' : ''}${name}: command not found\n`;
  return `sh: ${name}: not found\n`;
}

/** Run a script (one or more lines) in the given context; returns the last status. */
async function runScript(script: string, ctx: Ctx, io: ShellIO, stdin?: string): Promise<number> {
  for (const line of script.split('\n')) {
    let pipes: Pipeline[];
    try {
      pipes = parse(line);
    } catch (e) {
      io.write(2, `${ctx.shellName}: ${ctx.scriptMode && ctx.shellName === 'bash' ? 'line 1: ' : ''}${(e as Error).message}\n`);
      ctx.last = 2;
      return 2;
    }
    for (const p of pipes) {
      if (p.join === '&&' && ctx.last !== 0) continue;
      if (p.join === '||' && ctx.last === 0) continue;
      ctx.last = await runPipeline(p, ctx, io, stdin);
      if (ctx.exitRequested !== undefined) return ctx.exitRequested;
    }
  }
  return ctx.last;
}

async function runPipeline(p: Pipeline, ctx: Ctx, io: ShellIO, stdin?: string): Promise<number> {
  let input = stdin;
  let code = 0;
  for (const [i, cmd] of p.cmds.entries()) {
    const last = i === p.cmds.length - 1;
    const argv = cmd.words.map((w) => expandWord(w, ctx));
    const r = await runCommand(argv, ctx, io, input, cmd);
    let out = r.out;
    let err = r.err;
    if (cmd.stderr === 'stdout') {
      out += err;
      err = '';
    } else if (cmd.stderr === 'null') err = '';
    if (cmd.stdout === 'stderr') {
      err += out;
      out = '';
    } else if (cmd.stdout) out = '';
    if (err) io.write(2, err);
    if (last) {
      if (out) io.write(1, out);
    } else input = out;
    code = r.code;
  }
  return code;
}

type Builtin = (args: string[], ctx: Ctx, io: ShellIO, stdin: string | undefined) => Promise<Out> | Out;

async function runCommand(argv: string[], ctx: Ctx, io: ShellIO, stdin: string | undefined, _cmd?: Simple): Promise<Out> {
  // Leading assignments: `A=1` sets a shell variable; `A=1 cmd` sets it for cmd only.
  let i = 0;
  const assigns: [string, string][] = [];
  while (i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i])) {
    const eq = argv[i].indexOf('=');
    assigns.push([argv[i].slice(0, eq), argv[i].slice(eq + 1)]);
    i++;
  }
  if (i === argv.length) {
    for (const [k, v] of assigns) ctx.vars.set(k, v);
    return ok();
  }
  const saved = assigns.map(([k]) => [k, ctx.vars.get(k), ctx.exported.has(k)] as const);
  for (const [k, v] of assigns) {
    ctx.vars.set(k, v);
    ctx.exported.add(k);
  }
  try {
    const name = argv[i];
    const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
    const fn = COMMANDS[base];
    if (!fn || (name.includes('/') && !KNOWN_PATHS.has(name))) {
      if (name.includes('/')) return fail(`${ctx.shellName}: ${name}: No such file or directory\n`, 127);
      return fail(notFound(ctx, name), 127);
    }
    return await fn(argv.slice(i + 1), ctx, io, stdin);
  } finally {
    for (const [k, v, wasExported] of saved) {
      if (v === undefined) ctx.vars.delete(k);
      else ctx.vars.set(k, v);
      if (!wasExported) ctx.exported.delete(k);
    }
  }
}

const BIN_DIRS = ['/bin', '/usr/bin', '/sbin', '/usr/sbin', '/usr/local/bin'];

function environ(ctx: Ctx): string {
  return [...ctx.vars].filter(([k]) => ctx.exported.has(k)).map(([k, v]) => `${k}=${v}\n`).join('');
}

const ROOT_DIRS = ['bin', 'dev', 'etc', 'home', 'lib', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var'];

function normalizePath(cwd: string, p: string): string {
  const parts = (p.startsWith('/') ? p : `${cwd}/${p}`).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

function dirEntries(ctx: Ctx, dir: string): string[] | undefined {
  if (dir === '/') return ROOT_DIRS;
  const prefix = `${dir}/`;
  const names = Object.keys(ctx.host.files).filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length).split('/')[0]);
  if (dir === '/etc') names.push('os-release', 'passwd');
  if (names.length) return [...new Set(names)].sort();
  if (ROOT_DIRS.includes(dir.slice(1))) return [];
  return undefined;
}

function readFile(ctx: Ctx, path: string): string | undefined {
  if (ctx.host.files[path] !== undefined) return ctx.host.files[path];
  if (path === '/etc/passwd') return 'root:x:0:0:root:/root:/bin/sh\n';
  if (path === '/etc/os-release') return ctx.host.flavor === 'busybox' ? 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.21.0\n' : 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
  if (path === '/proc/1/cmdline' || path === '/proc/self/cmdline') return '';
  return undefined;
}

const noFile = (ctx: Ctx, cmd: string, path: string) =>
  ctx.host.flavor === 'busybox' ? `${cmd}: can't open '${path}': No such file or directory\n` : `${cmd}: ${path}: No such file or directory\n`;

const COMMANDS: Record<string, Builtin> = {
  true: () => ok(),
  false: () => fail('', 1),
  ':': () => ok(),
  echo: (args) => {
    let newline = true;
    let escapes = false;
    while (args[0] === '-n' || args[0] === '-e' || args[0] === '-ne' || args[0] === '-en') {
      const a = args.shift()!;
      if (a.includes('n')) newline = false;
      if (a.includes('e')) escapes = true;
    }
    let text = args.join(' ');
    if (escapes) text = text.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    return ok(newline ? `${text}\n` : text);
  },
  printf: (args) => {
    const fmt = (args.shift() ?? '').replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    let k = 0;
    return ok(fmt.replace(/%[sd]/g, () => args[k++] ?? ''));
  },
  env: (args, ctx, io, stdin) => {
    if (!args.length) return ok(environ(ctx));
    return runCommand(args, ctx, io, stdin);
  },
  printenv: (args, ctx) => {
    if (!args.length) return ok(environ(ctx));
    const vals = args.map((a) => (ctx.exported.has(a) ? ctx.vars.get(a) : undefined));
    return { out: vals.filter((v) => v !== undefined).map((v) => `${v}\n`).join(''), err: '', code: vals.every((v) => v !== undefined) ? 0 : 1 };
  },
  export: (args, ctx) => {
    for (const a of args) {
      const eq = a.indexOf('=');
      if (eq > 0) ctx.vars.set(a.slice(0, eq), a.slice(eq + 1));
      ctx.exported.add(eq > 0 ? a.slice(0, eq) : a);
    }
    return ok();
  },
  unset: (args, ctx) => {
    for (const a of args) {
      ctx.vars.delete(a);
      ctx.exported.delete(a);
    }
    return ok();
  },
  hostname: (args, ctx) => ok(`${args[0] === '-i' ? ctx.host.podIP : ctx.host.hostname}\n`),
  whoami: () => ok('root\n'),
  id: () => ok('uid=0(root) gid=0(root) groups=0(root)\n'),
  pwd: (_a, ctx) => ok(`${ctx.cwd}\n`),
  cd: (args, ctx) => {
    const target = normalizePath(ctx.cwd, args[0] ?? '/root');
    if (!dirEntries(ctx, target)) return fail(`${ctx.shellName}: cd: ${args[0]}: No such file or directory\n`, ctx.host.flavor === 'busybox' ? 2 : 1);
    ctx.cwd = target;
    return ok();
  },
  ls: (args, ctx) => {
    const paths = args.filter((a) => !a.startsWith('-'));
    const long = args.some((a) => a.startsWith('-') && a.includes('l'));
    const out: string[] = [];
    let err = '';
    for (const p of paths.length ? paths : [ctx.cwd]) {
      const full = normalizePath(ctx.cwd, p);
      const entries = dirEntries(ctx, full);
      if (entries) out.push(...entries.map((e) => (long ? `drwxr-xr-x    2 root     root          4096 Jan  1 00:00 ${e}` : e)));
      else if (readFile(ctx, full) !== undefined) out.push(p);
      else err += ctx.host.flavor === 'busybox' ? `ls: ${p}: No such file or directory\n` : `ls: cannot access '${p}': No such file or directory\n`;
    }
    return { out: out.length ? `${out.join('\n')}\n` : '', err, code: err ? (ctx.host.flavor === 'busybox' ? 1 : 2) : 0 };
  },
  cat: (args, ctx, _io, stdin) => {
    if (!args.length || (args.length === 1 && args[0] === '-')) return ok(stdin ?? '');
    let out = '';
    let err = '';
    for (const a of args) {
      const text = readFile(ctx, normalizePath(ctx.cwd, a));
      if (text === undefined) err += ctx.host.flavor === 'busybox' ? `cat: can't open '${a}': No such file or directory\n` : `cat: ${a}: No such file or directory\n`;
      else out += text;
    }
    return { out, err, code: err ? 1 : 0 };
  },
  head: (args, ctx, _io, stdin) => lines(args, ctx, stdin, 'head'),
  tail: (args, ctx, _io, stdin) => lines(args, ctx, stdin, 'tail'),
  wc: (args, _ctx, _io, stdin) => {
    const text = stdin ?? '';
    const n = text.split('\n').length - 1;
    return ok(args.includes('-l') ? `${n}\n` : `${n} ${text.split(/\s+/).filter(Boolean).length} ${text.length}\n`);
  },
  sort: (_a, _ctx, _io, stdin) => {
    const ls = (stdin ?? '').split('\n').filter((l, i, a) => l || i < a.length - 1);
    return ok(ls.length ? `${ls.sort().join('\n')}\n` : '');
  },
  grep: (args, ctx, _io, stdin) => {
    const flags = args.filter((a) => /^-[a-zA-Z]+$/.test(a)).join('');
    const rest = args.filter((a) => !/^-[a-zA-Z]+$/.test(a));
    const pattern = rest[0];
    if (pattern === undefined) return fail(ctx.host.flavor === 'busybox' ? 'BusyBox v1.37.0 multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n' : 'Usage: grep [OPTION]... PATTERNS [FILE]...\n', 2);
    let text = stdin ?? '';
    if (rest[1] !== undefined) {
      const f = readFile(ctx, normalizePath(ctx.cwd, rest[1]));
      if (f === undefined) return fail(`grep: ${rest[1]}: No such file or directory\n`, 2);
      text = f;
    }
    let re: RegExp;
    try {
      re = new RegExp(flags.includes('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern, flags.includes('i') ? 'i' : '');
    } catch {
      re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    }
    const matched = text.split('\n').filter((l, i, a) => (l || i < a.length - 1) && re.test(l) !== flags.includes('v'));
    if (flags.includes('c')) return { out: `${matched.length}\n`, err: '', code: matched.length ? 0 : 1 };
    if (flags.includes('q')) return { out: '', err: '', code: matched.length ? 0 : 1 };
    return { out: matched.map((l) => `${l}\n`).join(''), err: '', code: matched.length ? 0 : 1 };
  },
  sleep: async (args, ctx) => {
    const s = parseFloat(args[0] ?? '');
    if (!Number.isFinite(s) || s < 0) return fail(ctx.host.flavor === 'busybox' ? `sleep: invalid number '${args[0] ?? ''}'\n` : args[0] === undefined ? 'sleep: missing operand\n' : `sleep: invalid time interval '${args[0]}'\n`);
    await ctx.sleep(s * 1000);
    return ok();
  },
  date: (args, ctx) => {
    const d = ctx.now();
    if (args.includes('+%s')) return ok(`${Math.floor(d.getTime() / 1000)}\n`);
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const p2 = (n: number) => String(n).padStart(2, '0');
    const day = ctx.host.flavor === 'busybox' ? p2(d.getUTCDate()).replace(/^0/, ' ') : String(d.getUTCDate()).padStart(2, ' ');
    return ok(`${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${day} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}\n`);
  },
  uname: (args, ctx) => (args.includes('-a') ? ok(`Linux ${ctx.host.hostname} 6.8.0-kubedo #1 SMP x86_64 GNU/Linux\n`) : ok(args.includes('-r') ? '6.8.0-kubedo\n' : 'Linux\n')),
  which: (args) => {
    const found = args.filter((a) => COMMANDS[a]);
    return { out: found.map((a) => `/usr/bin/${a}\n`).join(''), err: '', code: found.length === args.length ? 0 : 1 };
  },
  exit: (args, ctx) => {
    const n = args[0] === undefined ? ctx.last : Number(args[0]);
    ctx.exitRequested = Number.isInteger(n) ? ((n % 256) + 256) % 256 : 2;
    return { out: '', err: '', code: ctx.exitRequested };
  },
  sh: (args, ctx, io, stdin) => subshell('sh', args, ctx, io, stdin),
  bash: (args, ctx, io, stdin) => (ctx.host.flavor === 'busybox' ? fail(notFound(ctx, 'bash'), 127) : subshell('bash', args, ctx, io, stdin)),
  ash: (args, ctx, io, stdin) => (ctx.host.flavor === 'busybox' ? subshell('sh', args, ctx, io, stdin) : fail(notFound(ctx, 'ash'), 127)),
  nslookup: (args, ctx) => nslookup(args, ctx),
  dig: (args, ctx) => dig(args, ctx),
  curl: (args, ctx) => curl(args, ctx),
  wget: (args, ctx) => wget(args, ctx),
};

const KNOWN_PATHS = new Set(Object.keys(COMMANDS).flatMap((c) => BIN_DIRS.map((d) => `${d}/${c}`)));

function lines(args: string[], ctx: Ctx, stdin: string | undefined, which: 'head' | 'tail'): Out {
  let n = 10;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-n') n = Number(args[++i]);
    else if (/^-\d+$/.test(args[i])) n = Number(args[i].slice(1));
    else if (/^-n\d+$/.test(args[i])) n = Number(args[i].slice(2));
    else files.push(args[i]);
  }
  let text = stdin ?? '';
  if (files.length) {
    const f = readFile(ctx, normalizePath(ctx.cwd, files[0]));
    if (f === undefined) return fail(noFile(ctx, which, files[0]));
    text = f;
  }
  const ls = text.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  const picked = which === 'head' ? ls.slice(0, n) : ls.slice(Math.max(0, ls.length - n));
  return ok(picked.length ? `${picked.join('\n')}\n` : '');
}

/** `sh -c "script"`, `bash -c`, or `sh` reading commands from stdin. */
async function subshell(name: 'sh' | 'bash', args: string[], parent: Ctx, io: ShellIO, stdin: string | undefined): Promise<Out> {
  const child: Ctx = { ...parent, vars: new Map(parent.vars), exported: new Set(parent.exported), shellName: name, scriptMode: true, exitRequested: undefined };
  let out = '';
  let err = '';
  const cio: ShellIO = { write: (fd, t) => (fd === 1 ? (out += t) : (err += t)), readLine: io.readLine };
  const ci = args.indexOf('-c');
  let code: number;
  if (ci >= 0) {
    const script = args[ci + 1];
    if (script === undefined) return fail(`${name}: -c: ${name === 'bash' ? 'option requires an argument' : 'requires an argument'}\n`, 2);
    code = await runScript(script, child, cio, stdin);
  } else if (args[0] && !args[0].startsWith('-')) {
    return fail(`${name}: ${args[0]}: No such file or directory\n`, 127);
  } else {
    child.scriptMode = false;
    code = await runScript(stdin ?? '', child, cio);
  }
  return { out, err, code };
}

// ---------------------------------------------------------------------------------------------
// Name resolution the way the pod's libc does it (resolv.conf search list and ndots: dns.ts)

interface Resolved {
  /** The absolute name that answered (canonical name after CNAMEs, without trailing dot). */
  name: string;
  /** CNAME target chain, if any. */
  cname?: string;
  addresses: string[];
}

async function resolveHost(ctx: Ctx, name: string, useSearch = true): Promise<Resolved | undefined> {
  if (isIPv4(name)) return { name, addresses: [name] };
  if (name === 'localhost') return { name, addresses: ['127.0.0.1'] };
  const hostsHit = hostsLookup(ctx, name);
  if (hostsHit) return { name, addresses: [hostsHit] };
  const candidates = useSearch ? searchCandidates(name, ctx.host.search, ctx.host.ndots) : [name.endsWith('.') ? name : `${name}.`];
  for (const c of candidates) {
    const r = await ctx.net.resolve(c, 'A');
    const a = r.answers.filter((x) => x.type === 'A');
    if (r.rcode === 'NOERROR' && a.length) {
      const cname = r.answers.find((x) => x.type === 'CNAME');
      return { name: c.replace(/\.$/, ''), cname: cname?.data.replace(/\.$/, ''), addresses: a.map((x) => x.data) };
    }
  }
  return undefined;
}

function hostsLookup(ctx: Ctx, name: string): string | undefined {
  for (const line of (ctx.host.files['/etc/hosts'] ?? '').split('\n')) {
    if (line.startsWith('#')) continue;
    const [ip, ...names] = line.split(/\s+/).filter(Boolean);
    if (ip && isIPv4(ip) && names.includes(name)) return ip;
  }
  return undefined;
}

async function nslookup(args: string[], ctx: Ctx): Promise<Out> {
  const positional = args.filter((a) => !a.startsWith('-'));
  const qtypeArg = args.find((a) => a.startsWith('-type=') || a.startsWith('-query='));
  const qtype = qtypeArg ? qtypeArg.split('=')[1].toUpperCase() : 'A';
  const name = positional[0];
  if (!name) return fail(ctx.host.flavor === 'busybox' ? 'BusyBox v1.37.0 multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n' : '', 1);
  const server = positional[1] ?? ctx.host.nameservers[0] ?? DNS_SERVICE_IP;
  const busybox = ctx.host.flavor === 'busybox';
  let out = busybox ? `Server:\t\t${server}\nAddress:\t${server}:53\n\n` : `Server:\t\t${server}\nAddress:\t${server}#53\n\n`;
  if (isIPv4(name)) {
    const rev = `${name.split('.').reverse().join('.')}.in-addr.arpa.`;
    const r = await ctx.net.resolve(rev, 'PTR');
    const ptr = r.answers.filter((x) => x.type === 'PTR');
    if (!ptr.length) return fail(`** server can't find ${rev.replace(/\.$/, '')}: NXDOMAIN\n\n`, 1, out);
    for (const p of ptr) out += `${rev.replace(/\.$/, '')}\tname = ${p.data}\n`;
    return ok(`${out}\n`);
  }
  const candidates = searchCandidates(name, ctx.host.search, ctx.host.ndots);
  for (const c of candidates) {
    const r = await ctx.net.resolve(c, qtype);
    const answers = r.answers;
    if (r.rcode !== 'NOERROR' || !answers.length) continue;
    for (const a of answers) {
      const owner = a.name.replace(/\.$/, '');
      if (a.type === 'CNAME') out += `${owner}\tcanonical name = ${a.data}\n`;
      else if (a.type === 'A' || a.type === 'AAAA') out += `Name:\t${owner}\nAddress: ${a.data}\n`;
      else if (a.type === 'SRV') out += `${owner}\tservice = ${a.data}\n`;
      else if (a.type === 'TXT') out += `${owner}\ttext = ${a.data}\n`;
      else out += `${owner}\t${a.type.toLowerCase()} = ${a.data}\n`;
    }
    return ok(`${out}\n`);
  }
  const last = busybox ? candidates[candidates.length - 1] : name;
  return { out, err: `** server can't find ${last.replace(/\.$/, '')}: NXDOMAIN\n${busybox ? '\n' : ''}`, code: 1 };
}

async function dig(args: string[], ctx: Ctx): Promise<Out> {
  let name: string | undefined;
  let qtype = 'A';
  let short = false;
  let search = false;
  let server = ctx.host.nameservers[0] ?? DNS_SERVICE_IP;
  for (const a of args) {
    if (a === '+short') short = true;
    else if (a === '+search') search = true;
    else if (a.startsWith('@')) server = a.slice(1);
    else if (a.startsWith('+') || a.startsWith('-')) continue;
    else if (name !== undefined && /^(A|AAAA|SRV|PTR|CNAME|TXT|NS|SOA|ANY)$/i.test(a)) qtype = a.toUpperCase();
    else name ??= a;
  }
  name ??= '.';
  const candidates = search ? searchCandidates(name, ctx.host.search, ctx.host.ndots) : [name.endsWith('.') ? name : `${name}.`];
  let r: DnsAnswer = { rcode: 'NXDOMAIN', answers: [] };
  let qname = candidates[candidates.length - 1];
  for (const c of candidates) {
    r = await ctx.net.resolve(c, qtype);
    qname = c;
    if (r.rcode === 'NOERROR' && r.answers.length) break;
  }
  if (short) return ok(r.answers.map((a) => `${a.data}\n`).join(''));
  const id = Math.floor(Math.random() * 65535);
  const lines = [
    '',
    `; <<>> DiG 9.18.33-1~deb12u2-Debian <<>> ${args.join(' ')}`,
    ';; global options: +cmd',
    ';; Got answer:',
    `;; ->>HEADER<<- opcode: QUERY, status: ${r.rcode}, id: ${id}`,
    `;; flags: qr aa rd; QUERY: 1, ANSWER: ${r.answers.length}, AUTHORITY: 0, ADDITIONAL: 1`,
    ';; WARNING: recursion requested but not available',
    '',
    ';; OPT PSEUDOSECTION:',
    '; EDNS: version: 0, flags:; udp: 1232',
    ';; QUESTION SECTION:',
    `;${qname}\t\t\tIN\t${qtype}`,
    '',
  ];
  if (r.answers.length) {
    lines.push(';; ANSWER SECTION:');
    for (const a of r.answers) lines.push(`${a.name}\t\t${a.ttl}\tIN\t${a.type}\t${a.data}`);
    lines.push('');
  }
  lines.push(';; Query time: 0 msec', `;; SERVER: ${server}#53(${server}) (UDP)`, `;; WHEN: ${ctx.now().toUTCString()}`, ';; MSG SIZE  rcvd: 100', '', '');
  return ok(lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// HTTP clients

interface ParsedUrl {
  scheme: string;
  host: string;
  port: number;
  path: string;
}

function parseUrl(raw: string): ParsedUrl | undefined {
  const m = /^(?:([a-z]+):\/\/)?([^/:?#]+)(?::(\d+))?([^#]*)/i.exec(raw);
  if (!m) return undefined;
  const scheme = (m[1] ?? 'http').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  return { scheme, host: m[2], port: m[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80, path: m[4] || '/' };
}

async function curl(args: string[], ctx: Ctx): Promise<Out> {
  let method: string | undefined;
  const headers: [string, string][] = [];
  let data: string | undefined;
  let include = false;
  let head = false;
  let silent = false;
  let showError = false;
  let failOnError = false;
  let discard = false;
  let writeOut: string | undefined;
  let verbose = false;
  let insecure = false;
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-X' || a === '--request') method = args[++i];
    else if (a === '-H' || a === '--header') {
      const h = args[++i] ?? '';
      const c = h.indexOf(':');
      if (c > 0) headers.push([h.slice(0, c).trim(), h.slice(c + 1).trim()]);
    } else if (a === '-d' || a === '--data' || a === '--data-raw' || a === '--data-binary') data = args[++i];
    else if (a === '-o' || a === '--output') {
      i++;
      discard = true;
    }
    else if (a === '-w' || a === '--write-out') writeOut = args[++i];
    else if (a === '--cacert') insecure = !!args[++i];
    else if (a === '-m' || a === '--max-time' || a === '--connect-timeout' || a === '-u' || a === '--user' || a === '-A' || a === '--user-agent') i++;
    else if (a.startsWith('--')) {
      if (a === '--include') include = true;
      else if (a === '--head') head = true;
      else if (a === '--silent') silent = true;
      else if (a === '--show-error') showError = true;
      else if (a === '--fail') failOnError = true;
      else if (a === '--verbose') verbose = true;
      else if (a === '--insecure') insecure = true;
    } else if (a.startsWith('-') && a.length > 1) {
      for (const f of a.slice(1)) {
        if (f === 'i') include = true;
        else if (f === 'I') head = true;
        else if (f === 's') silent = true;
        else if (f === 'S') showError = true;
        else if (f === 'f') failOnError = true;
        else if (f === 'v') verbose = true;
        else if (f === 'k') insecure = true;
      }
    } else url ??= a;
  }
  const err = (code: number, msg: string) => fail(!silent || showError ? `curl: (${code}) ${msg}\n` : '', code);
  if (!url) return fail("curl: try 'curl --help' or 'curl --manual' for more information\n", 2);
  const u = parseUrl(url);
  if (!u) return err(3, 'URL rejected: Bad hostname');
  const started = Date.now();
  const r = await resolveHost(ctx, u.host);
  if (!r) return err(6, `Could not resolve host: ${u.host}`);
  const ip = r.addresses[0];
  method ??= head ? 'HEAD' : data !== undefined ? 'POST' : 'GET';
  const reqHeaders: [string, string][] = [['Host', u.port === (u.scheme === 'https' ? 443 : 80) ? u.host : `${u.host}:${u.port}`], ['User-Agent', 'curl/8.11.1'], ['Accept', '*/*'], ...headers];
  if (data !== undefined) reqHeaders.push(['Content-Length', String(data.length)], ['Content-Type', 'application/x-www-form-urlencoded']);
  const res = await ctx.net.http(ip, u.port, { method, path: u.path, headers: reqHeaders, body: data });
  const elapsed = Math.max(1, Date.now() - started);
  if (!res.ok) {
    if (res.error === 'timeout') return err(28, `Failed to connect to ${u.host} port ${u.port} after ${elapsed} ms: Timeout was reached`);
    return err(7, `Failed to connect to ${u.host} port ${u.port} after ${elapsed} ms: Couldn't connect to server`);
  }
  // Serving certificates in the cluster are signed by the cluster CA, which curl does not trust by default.
  if (u.scheme === 'https' && !insecure) return err(60, 'SSL certificate problem: unable to get local issuer certificate');
  let verboseErr = '';
  if (verbose) {
    verboseErr += `* Host ${u.host}:${u.port} was resolved.\n* IPv4: ${r.addresses.join(', ')}\n*   Trying ${ip}:${u.port}...\n* Connected to ${u.host} (${ip}) port ${u.port}\n`;
    verboseErr += `> ${method} ${u.path} HTTP/1.1\n${reqHeaders.map(([k, v]) => `> ${k}: ${v}\n`).join('')}> \n`;
    verboseErr += `< HTTP/1.1 ${res.status} ${reasonPhrase(res.status)}\n${res.headers.map(([k, v]) => `< ${k}: ${v}\n`).join('')}< \n`;
  }
  if (failOnError && res.status >= 400) return { out: '', err: verboseErr + (!silent || showError ? `curl: (22) The requested URL returned error: ${res.status}\n` : ''), code: 22 };
  let out = '';
  if (include || head) out += `HTTP/1.1 ${res.status} ${reasonPhrase(res.status)}\r\n${res.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  if (!head) out += res.body;
  if (discard) out = '';
  if (writeOut) out += writeOut.replace(/%\{http_code\}/g, String(res.status)).replace(/%\{remote_ip\}/g, ip).replace(/\\n/g, '\n');
  return { out, err: verboseErr, code: 0 };
}

async function wget(args: string[], ctx: Ctx): Promise<Out> {
  let quiet = false;
  let toStdout = false;
  let spider = false;
  let timeout: string | undefined;
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-O') toStdout = args[++i] === '-';
    else if (a === '-T') timeout = args[++i];
    else if (a === '--spider') spider = true;
    else if (a.startsWith('-') && !a.startsWith('--')) {
      if (a.includes('q')) quiet = true;
      if (a.endsWith('O-')) toStdout = true;
      else if (a.endsWith('O')) toStdout = args[++i] === '-';
    } else if (!a.startsWith('-')) url ??= a;
  }
  void timeout;
  if (!url) return fail('BusyBox v1.37.0 multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n', 1);
  const u = parseUrl(url);
  if (!u) return fail(`wget: not an http or ftp url: ${url}\n`, 1);
  const r = await resolveHost(ctx, u.host);
  if (!r) return fail(`wget: bad address '${u.host}'\n`, 1);
  const ip = r.addresses[0];
  let err = quiet ? '' : `Connecting to ${u.host}${u.port === 80 ? '' : `:${u.port}`} (${ip}:${u.port})\n`;
  const res = await ctx.net.http(ip, u.port, { method: 'GET', path: u.path, headers: [['Host', u.host], ['User-Agent', 'Wget'], ['Connection', 'close']] });
  if (!res.ok) return fail(`${err}wget: can't connect to remote host (${ip}): ${res.error === 'timeout' ? 'Connection timed out' : 'Connection refused'}\n`, 1);
  if (res.status >= 400) return fail(`${err}wget: server returned error: HTTP/1.1 ${res.status} ${reasonPhrase(res.status)}\n`, 1);
  if (spider) return { out: '', err: quiet ? '' : `${err}remote file exists\n`, code: 0 };
  if (!toStdout) {
    const file = u.path.split('?')[0].split('/').pop() || 'index.html';
    return { out: '', err: quiet ? '' : `${err}saving to '${file}'\n${file}              100% |********************************|  ${res.body.length}  0:00:00 ETA\n'${file}' saved\n`, code: 0 };
  }
  if (!quiet) err += 'writing to stdout\n';
  return { out: res.body, err: quiet ? '' : `${err}-                    100% |********************************|  ${res.body.length}  0:00:00 ETA\nwritten to stdout\n`, code: 0 };
}

function reasonPhrase(status: number): string {
  const phrases: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };
  return phrases[status] ?? '';
}

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * What `kubectl exec POD -- argv...` runs: argv goes to the container runtime, which starts the
 * binary (an unknown one is reported by the image's shell and exits 127). Returns the exit code.
 */
export async function execCommand(argv: string[], host: ShellHost, net: ShellNet, io: ShellIO, opts: ExecOptions = {}): Promise<number> {
  const ctx = newCtx(host, net, opts);
  const name = argv[0] ?? '';
  const isShell = ['sh', 'bash', 'ash', '/bin/sh', '/bin/bash', '/bin/ash', '/usr/bin/bash'].includes(name) && !(name.endsWith('bash') && host.flavor === 'busybox');
  if (isShell && !argv.includes('-c') && io.readLine && !argv.slice(1).some((a) => !a.startsWith('-'))) {
    return interactive(ctx, io, name.endsWith('bash') ? 'bash' : 'sh');
  }
  let stdin: string | undefined;
  if (io.readLine && STDIN_READERS.has(name.slice(name.lastIndexOf('/') + 1))) {
    stdin = '';
    for (let l = await io.readLine(); l !== undefined; l = await io.readLine()) stdin += `${l}\n`;
  }
  const r = await runCommand(argv, ctx, io, stdin);
  if (r.out) io.write(1, r.out);
  if (r.err) io.write(2, r.err);
  return r.code;
}

const STDIN_READERS = new Set(['cat', 'grep', 'head', 'tail', 'wc', 'sort', 'sh', 'bash', 'ash']);

/** A shell reading commands from stdin line by line until `exit` or EOF; `prompt` for a TTY. */
async function interactive(ctx: Ctx, io: ShellIO, name: 'sh' | 'bash', prompt?: () => string): Promise<number> {
  ctx.shellName = name;
  for (;;) {
    if (prompt) io.write(1, prompt());
    const line = await io.readLine!();
    if (line === undefined) {
      if (prompt) io.write(1, name === 'bash' ? 'exit\n' : '\n');
      return ctx.last;
    }
    const code = await runScript(line, ctx, io);
    if (ctx.exitRequested !== undefined) return ctx.exitRequested;
    ctx.last = code;
  }
}

/** The prompt of an interactive shell on a TTY: busybox `/ # `, bash `root@web-0:/# `, dash `# `. */
export function promptFor(host: ShellHost, cwd: string, shell: 'sh' | 'bash' = 'sh'): string {
  if (host.flavor === 'busybox') return `${cwd} # `;
  return shell === 'bash' ? `root@${host.hostname}:${cwd}# ` : '# ';
}

/** `kubectl exec -it POD -- sh`: like execCommand, but interactive shells print their prompt. */
export async function execTTY(argv: string[], host: ShellHost, net: ShellNet, io: ShellIO, opts: ExecOptions = {}): Promise<number> {
  const ctx = newCtx(host, net, opts);
  const name = argv[0] ?? '';
  const base = name.slice(name.lastIndexOf('/') + 1);
  if ((base === 'sh' || base === 'ash' || (base === 'bash' && host.flavor === 'bash')) && !argv.includes('-c') && io.readLine) {
    const shell = base === 'bash' ? 'bash' : 'sh';
    return interactive(ctx, io, shell, () => promptFor(host, ctx.cwd, shell));
  }
  return execCommand(argv, host, net, io, opts);
}
