// `npm run bench`: runs the scenarios against a fresh local emulator, prints tables, writes JSON
// to bench/results/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiScenario } from './api.mjs';
import { launch } from './launch.mjs';
import { sandboxScenario } from './sandbox.mjs';
import { scheduleScenario } from './schedule.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = await launch();
try {
  const results = [];
  const api = (process.env.BENCH_ONLY && process.env.BENCH_ONLY !== 'api') ? undefined : await apiScenario(env, { clients: Number(process.env.BENCH_CLIENTS || 16), opsPerClient: Number(process.env.BENCH_OPS || 40) });
  if (api) {
    results.push(api);
    console.log(`\nscenario api: ${api.clients} clients, ${api.seconds}s, ${api.requestsPerSecond} req/s overall`);
    console.table(api.rows);
  }
  const only = process.env.BENCH_ONLY;
  if (!only || only === 'schedule') {
    const sched = await scheduleScenario(env, {
      nodes: Number(process.env.BENCH_NODES || 1000),
      pods: Number(process.env.BENCH_PODS || 10000),
    });
    results.push(sched);
    console.log(`\nscenario schedule: ${sched.nodes} nodes, ${sched.pods} pods`);
    console.table([sched]);
  }
  if (!only || only === 'sandbox') {
    const sizes = (process.env.BENCH_SANDBOX_SIZES || '10,100,1000').split(',').map(Number);
    const sb = await sandboxScenario(env, { sizes, samples: Number(process.env.BENCH_SANDBOX_SAMPLES || 20) });
    results.push(sb);
    console.log(`\nscenario sandbox: create-to-first-answer with ${sizes.join(', ')} sandboxes existing (p50 grows ×${sb.growth}; anchors: KWOK ~5 s, vcluster seconds, kind tens of seconds)`);
    console.table(sb.rows);
  }
  const out = path.join(here, 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2));
  console.log(`results written to ${path.relative(process.cwd(), out)}`);
} finally {
  await env.stop();
}
