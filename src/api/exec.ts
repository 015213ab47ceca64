// `kubectl exec` over WebSocket (v5.channel.k8s.io from kubectl 1.30, v4.channel.k8s.io accepted):
// the Worker upgrades GET/POST .../pods/NAME/exec, runs the simulated container's shell
// (src/kubelet/shell.ts) and speaks the channel protocol: each binary frame is [channel][data],
// 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status ending the session), 4 resize, 255 close
// (v5: [255, 0] closes stdin). DNS and TCP from inside the container are answered by the sandbox's DO.
import type { ClusterObject } from '../durable/cluster';
import { execCommand, execTTY, type ShellHost, type ShellIO, type ShellNet } from '../kubelet/shell';
import { failure, type Status } from './status';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
const EXEC_PATH = /^api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/;

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export function parseExecPath(rest: string): { namespace: string; name: string } | undefined {
  const m = EXEC_PATH.exec(rest);
  return m ? { namespace: decodeURIComponent(m[1]), name: decodeURIComponent(m[2]) } : undefined;
}

/** The subprotocol to answer with: the first one we speak among those the client offers. */
export function pickProtocol(header: string | null): string | undefined {
  const offered = (header ?? '').split(',').map((s) => s.trim());
  return EXEC_PROTOCOLS.find((p) => offered.includes(p));
}

/** The Status kubectl turns into `command terminated with exit code N` (and exits N). */
export function exitStatus(argv: string[], code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function statusResponse(s: Status): Response {
  return new Response(JSON.stringify(s), { status: s.code, headers: { 'Content-Type': 'application/json' } });
}

/** Buffers stdin frames into lines; with a TTY it also echoes and edits like a terminal's line discipline. */
export class StdinLines {
  private buf = '';
  private lines: string[] = [];
  private eof = false;
  private waiter?: () => void;

  constructor(private readonly tty: boolean, private readonly echo: (text: string) => void) {}

  push(text: string): void {
    for (const ch of text) {
      if (this.tty) {
        if (ch === '\r' || ch === '\n') {
          this.echo('\r\n');
          this.lines.push(this.buf);
          this.buf = '';
        } else if (ch === '\x7f' || ch === '\b') {
          if (this.buf) {
            this.buf = this.buf.slice(0, -1);
            this.echo('\b \b');
          }
        } else if (ch === '\x03') {
          this.echo('^C\r\n');
          this.lines.push('');
          this.buf = '';
        } else if (ch === '\x04') {
          if (!this.buf) this.end();
        } else {
          this.buf += ch;
          this.echo(ch);
        }
      } else if (ch === '\n') {
        this.lines.push(this.buf);
        this.buf = '';
      } else this.buf += ch;
    }
    this.wake();
  }

  end(): void {
    if (this.buf) {
      this.lines.push(this.buf);
      this.buf = '';
    }
    this.eof = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async readLine(): Promise<string | undefined> {
    for (;;) {
      if (this.lines.length) return this.lines.shift();
      if (this.eof) return undefined;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }
}

export async function execRequest(stub: DurableObjectStub<ClusterObject>, req: Request, namespace: string, name: string): Promise<Response> {
  const q = new URL(req.url).searchParams;
  const argv = q.getAll('command');
  const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  const tty = flag('tty');
  const wantStdin = flag('stdin');
  if (!argv.length) return statusResponse(failure(400, 'BadRequest', 'you must specify at least 1 command'));
  const target = await stub.execTarget(namespace, name, q.get('container') ?? undefined, tty);
  if (!target.ok) return statusResponse(target.status);
  if (req.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
    // SPDY (kubectl < 1.30 or its fallback) is not spoken here.
    return statusResponse(failure(400, 'BadRequest', 'Upgrade request required'));
  }
  const protocol = pickProtocol(req.headers.get('Sec-WebSocket-Protocol'));
  if (!protocol) return statusResponse(failure(400, 'BadRequest', `unable to upgrade: unsupported subprotocol, expected one of ${EXEC_PROTOCOLS.join(', ')}`));

  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  const enc = new TextEncoder();
  let open = true;
  const send = (channel: number, text: string) => {
    if (!open || !text) return;
    const data = enc.encode(text);
    const frame = new Uint8Array(data.length + 1);
    frame[0] = channel;
    frame.set(data, 1);
    try {
      server.send(frame);
    } catch {
      open = false;
    }
  };
  const out = (fd: 1 | 2, text: string) => {
    if (tty) send(CHANNEL.stdout, text.replace(/\r?\n/g, '\r\n'));
    else if ((fd === 1 && flag('stdout')) || (fd === 2 && flag('stderr'))) send(fd, text);
  };
  const stdin = new StdinLines(tty, (t) => send(CHANNEL.stdout, t));
  const dec = new TextDecoder();
  // Binary frames may arrive as ArrayBuffer or Blob (depending on the runtime): keep their order.
  let inbound = Promise.resolve();
  server.addEventListener('message', (ev) => {
    const data = ev.data as string | ArrayBuffer | Blob;
    inbound = inbound.then(async () => {
      const bytes = typeof data === 'string' ? enc.encode(data) : data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : new Uint8Array(data);
      if (!bytes.length) return;
      if (bytes[0] === CHANNEL.stdin) stdin.push(dec.decode(bytes.subarray(1), { stream: true }));
      else if (bytes[0] === CHANNEL.close && bytes[1] === CHANNEL.stdin) stdin.end();
    });
  });
  server.addEventListener('close', () => {
    open = false;
    inbound = inbound.then(() => stdin.end());
  });
  server.addEventListener('error', () => {
    open = false;
    stdin.end();
  });
  server.accept();

  // Tuples come back from the RPC as plain arrays.
  const host: ShellHost = { ...target.host, env: target.host.env.map(([k, v]) => [k, v] as [string, string]) };
  const net: ShellNet = {
    resolve: (qname, qtype) => stub.dnsQuery(qname, qtype),
    http: async (ip, port, r) => {
      const res = await stub.execHttp(host.podIP, ip, port, r);
      return res.ok ? { ...res, headers: res.headers.map(([k, v]) => [k, v] as [string, string]) } : { ok: false, error: res.error };
    },
  };
  const io: ShellIO = { write: out, readLine: wantStdin ? () => stdin.readLine() : undefined };
  (async () => {
    let code: number;
    try {
      code = tty ? await execTTY(argv, host, net, io) : await execCommand(argv, host, net, io);
    } catch (e) {
      out(2, `${e instanceof Error ? e.message : String(e)}\n`);
      code = 126;
    }
    send(CHANNEL.error, JSON.stringify(exitStatus(argv, code)));
    open = false;
    try {
      server.close(1000, '');
    } catch {
      // already closed by the client
    }
  })();
  return new Response(null, { status: 101, webSocket: client, headers: { 'Sec-WebSocket-Protocol': protocol } });
}
