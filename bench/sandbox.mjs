// Scenario `sandbox`: create-to-first-answer latency of new sandboxes (POST /v1/sandboxes, then the
// first successful GET /clusters/{id}/api/v1/namespaces/default with the new token) and how it grows
// with the number of sandboxes that already exist (10, 100, 1000). Anchors: KWOK ~5 s cluster start
// (its users ask for under 1-2 s), vcluster "seconds", kind tens of seconds.
import https from 'node:https';

function pct(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

async function pool(items, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** One HTTPS request to the emulator's origin with a given bearer token. */
function call(env, method, url, token, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers = { Authorization: `Bearer ${token}`, ...(data ? { 'Content-Type': 'application/json' } : {}) };
    const req = https.request(url, { method, agent: env.agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let parsed;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

export async function sandboxScenario(env, { sizes = [10, 100, 1000], samples = 20, concurrency = 8 } = {}) {
  const origin = new URL(env.server).origin;
  const create = async (name) => {
    const r = await call(env, 'POST', `${origin}/v1/sandboxes`, env.token, { name });
    if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const remove = async (id) => {
    const r = await call(env, 'DELETE', `${origin}/v1/sandboxes/${id}`, env.token);
    if (r.status !== 200) throw new Error(`delete ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const existing = [];
  const rows = [];
  let seq = 0;
  try {
    for (const size of sizes) {
      // Grow the population (the operator is not rate-limited).
      const missing = Array.from({ length: Math.max(0, size - existing.length) }, () => `pop-${seq++}`);
      const tg = performance.now();
      await pool(missing, concurrency, async (name) => existing.push((await create(name)).id));
      const growSeconds = (performance.now() - tg) / 1000;

      const createMs = [];
      const firstMs = [];
      const deleteMs = [];
      for (let i = 0; i < samples; i++) {
        const t0 = performance.now();
        const sb = await create(`sample-${seq++}`);
        const t1 = performance.now();
        for (let tries = 0; ; tries++) {
          const r = await call(env, 'GET', `${sb.server}/api/v1/namespaces/default`, sb.token);
          if (r.status === 200) break;
          if (tries > 200) throw new Error(`sandbox ${sb.id} never answered: ${r.status}`);
          await new Promise((res) => setTimeout(res, 5));
        }
        const t2 = performance.now();
        createMs.push(t1 - t0);
        firstMs.push(t2 - t0);
        await remove(sb.id);
        deleteMs.push(performance.now() - t2);
      }
      const tl = performance.now();
      const list = await call(env, 'GET', `${origin}/v1/sandboxes`, env.token);
      const listMs = performance.now() - tl;
      const s = (xs) => [...xs].sort((a, b) => a - b);
      const [c, f, d] = [s(createMs), s(firstMs), s(deleteMs)];
      rows.push({
        existing: existing.length,
        samples,
        createP50ms: +pct(c, 50).toFixed(1),
        createP99ms: +pct(c, 99).toFixed(1),
        firstAnswerP50ms: +pct(f, 50).toFixed(1),
        firstAnswerP99ms: +pct(f, 99).toFixed(1),
        deleteP50ms: +pct(d, 50).toFixed(1),
        listMs: +listMs.toFixed(1),
        listed: list.body?.items?.length,
        populateCreatesPerSecond: missing.length ? +(missing.length / growSeconds).toFixed(1) : undefined,
      });
    }
  } finally {
    await pool([...existing], concurrency, remove);
  }
  const first = rows[0]?.firstAnswerP50ms;
  const last = rows[rows.length - 1]?.firstAnswerP50ms;
  return { scenario: 'sandbox', sizes, samples, rows, growth: first ? +(last / first).toFixed(2) : undefined };
}
