// Simulation knobs (pod annotations) and what a container's command would do if it really ran.
//
//   kubedo.dev/<knob>             applies to every container of the pod
//   kubedo.dev/<knob>.<container> overrides it for one container

import type { Container, Pod } from 'kubernetes-types/core/v1';
import { parseGoDuration } from '../machinery/duration';
import { imageBaseName } from './util';

export const KNOB_PREFIX = 'kubedo.dev/';

/** The raw knob value for a container (per-container annotation first), or undefined. */
export function knob(pod: Pod, name: string, container?: string): string | undefined {
  const ann = pod.metadata?.annotations;
  if (!ann) return undefined;
  if (container !== undefined) {
    const specific = ann[`${KNOB_PREFIX}${name}.${container}`];
    if (specific !== undefined) return specific;
  }
  return ann[`${KNOB_PREFIX}${name}`];
}

/** A duration knob in (unscaled) milliseconds; undefined when absent or malformed. */
export function durationKnob(pod: Pod, name: string, container?: string): number | undefined {
  const v = knob(pod, name, container);
  if (v === undefined) return undefined;
  const ms = parseGoDuration(v);
  return ms !== undefined && ms >= 0 ? ms : undefined;
}

/** An integer knob; undefined when absent or malformed. */
export function intKnob(pod: Pod, name: string, container?: string): number | undefined {
  const v = knob(pod, name, container);
  if (v === undefined || !/^\s*-?\d+\s*$/.test(v)) return undefined;
  return parseInt(v, 10);
}

/** What the container's process does when nobody steers it. */
export type InferredRun =
  | { kind: 'forever' }
  | { kind: 'exits'; afterMs: number; exitCode: number; output: string[] }
  | { kind: 'unknown' };

/** Images whose default command is an interactive shell (it exits at once without a terminal). */
const SHELL_IMAGES = new Set(['busybox', 'alpine', 'ubuntu', 'debian', 'centos', 'fedora', 'rockylinux', 'almalinux', 'amazonlinux']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
/** Commands that print something (or nothing) and exit 0 at once. */
const QUICK = new Set(['echo', 'printf', 'true', ':', 'date', 'hostname', 'env', 'printenv', 'ls', 'pwd', 'whoami', 'id', 'uname', 'cat']);

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/**
 * Reads the container's command the way a learner expects it to behave: `sleep 3600` exits 0 after an hour,
 * `echo hi` prints and exits, `sh -c "exit 3"` exits 3, `sleep infinity` and an interactive shell with stdin run
 * forever. Anything not understood is 'unknown' (the caller picks a default).
 */
export function inferRun(c: Container): InferredRun {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  if (argv.length === 0) {
    if (c.command === undefined && c.args === undefined && SHELL_IMAGES.has(imageBaseName(c.image ?? ''))) {
      return c.stdin ? { kind: 'forever' } : { kind: 'exits', afterMs: 0, exitCode: 0, output: [] };
    }
    return { kind: 'unknown' };
  }
  const prog = base(argv[0]);
  if (SHELLS.has(prog)) {
    const ci = argv.indexOf('-c');
    if (ci < 0) {
      // `sh` alone, or `sh script.sh`
      if (argv.length === 1) return c.stdin ? { kind: 'forever' } : { kind: 'exits', afterMs: 0, exitCode: 0, output: [] };
      return { kind: 'unknown' };
    }
    const script = argv[ci + 1];
    if (script === undefined) return { kind: 'unknown' };
    return inferScript(script);
  }
  return inferStatements([[argv.map((a) => a)]], true);
}

/** A quote-aware split of a shell script into `;`/newline separated lists of `&&` chains of words. */
function parseScript(script: string): string[][][] | undefined {
  const lists: string[][][] = [];
  let chain: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endStmt = () => {
    endWord();
    if (words.length) chain.push(words);
    words = [];
  };
  const endList = () => {
    endStmt();
    if (chain.length) lists.push(chain);
    chain = [];
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < script.length) word += script[++i];
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < script.length) {
      word += script[++i];
      inWord = true;
    } else if (ch === ' ' || ch === '\t') endWord();
    else if (ch === ';' || ch === '\n') endList();
    else if (ch === '&' && script[i + 1] === '&') {
      endStmt();
      i++;
    } else if ('|&<>()`$'.includes(ch) && !(ch === '$' && /[\w{]/.test(script[i + 1] ?? ''))) {
      return undefined; // pipes, redirections, subshells, background jobs: not ours to guess
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return undefined;
  endList();
  return lists;
}

function inferScript(script: string): InferredRun {
  const lists = parseScript(script);
  if (!lists) return { kind: 'unknown' };
  return inferStatements(lists, false);
}

function sleepMs(args: string[]): number | 'forever' | undefined {
  if (args.length === 0) return undefined;
  let total = 0;
  for (const a of args) {
    if (a === 'infinity' || a === 'inf') return 'forever';
    const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(a);
    if (!m) return undefined;
    const mult = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]] ?? 1000;
    total += parseFloat(m[1]) * mult;
  }
  return total;
}

function inferStatements(lists: string[][][], exec: boolean): InferredRun {
  let elapsed = 0;
  let code = 0;
  const output: string[] = [];
  for (const chain of lists) {
    for (const words of chain) {
      const cmd = base(words[0]);
      const rest = words.slice(1);
      if (cmd === 'sleep') {
        const ms = sleepMs(rest);
        if (ms === undefined) return { kind: 'unknown' };
        if (ms === 'forever') return { kind: 'forever' };
        elapsed += ms;
        code = 0;
      } else if (cmd === 'exit' && !exec) {
        const n = rest.length ? Number(rest[0]) : code;
        if (!Number.isInteger(n)) return { kind: 'unknown' };
        return { kind: 'exits', afterMs: elapsed, exitCode: ((n % 256) + 256) % 256, output };
      } else if (cmd === 'false') {
        code = 1;
      } else if (QUICK.has(cmd)) {
        code = 0;
        if (cmd === 'echo') output.push(rest.filter((w) => w !== '-n' && w !== '-e').join(' '));
        else if (cmd === 'printf' && rest.length) output.push(rest[0].replace(/\\n$/, ''));
      } else {
        return { kind: 'unknown' };
      }
      if (code !== 0) break; // && chain stops at the first failure
    }
  }
  return { kind: 'exits', afterMs: elapsed, exitCode: code, output };
}
