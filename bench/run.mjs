// `npm run bench`: runs the scenarios against a fresh local emulator, prints tables, writes JSON
// to bench/results/. BENCH_ONLY=api|schedule|sandbox|deploy runs one of them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiScenario } from './api.mjs';
import { deployScenario } from './deploy.mjs';
import { launch } from './launch.mjs';
import { sandboxScenario } from './sandbox.mjs';
import { scheduleScenario } from './schedule.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY;
const wanted = (name) => !only || only === name;
const results = [];
if (wanted('api') || wanted('schedule') || wanted('sandbox')) {
  const env = await launch();
  try {
    const api = wanted('api') ? await apiScenario(env, { clients: Number(process.env.BENCH_CLIENTS || 16), opsPerClient: Number(process.env.BENCH_OPS || 40) }) : undefined;
    if (api) {
      results.push(api);
      console.log(`\nscenario api: ${api.clients} clients, ${api.seconds}s, ${api.requestsPerSecond} req/s overall`);
      console.table(api.rows);
    }
    if (wanted('schedule')) {
      const sched = await scheduleScenario(env, {
        nodes: Number(process.env.BENCH_NODES || 1000),
        pods: Number(process.env.BENCH_PODS || 10000),
      });
      results.push(sched);
      console.log(`\nscenario schedule: ${sched.nodes} nodes, ${sched.pods} pods`);
      console.table([sched]);
    }
    if (wanted('sandbox')) {
      const sizes = (process.env.BENCH_SANDBOX_SIZES || '10,100,1000').split(',').map(Number);
      const sb = await sandboxScenario(env, { sizes, samples: Number(process.env.BENCH_SANDBOX_SAMPLES || 20) });
      results.push(sb);
      console.log(`\nscenario sandbox: create-to-first-answer with ${sizes.join(', ')} sandboxes existing (p50 grows ×${sb.growth}; anchors: KWOK ~5 s, vcluster seconds, kind tens of seconds)`);
      console.table(sb.rows);
    }
  } finally {
    await env.stop();
  }
}
if (wanted('deploy')) {
  // A fresh emulator: the schedule scenario's 10,000 pods would otherwise weigh on this one.
  const env = await launch();
  try {
    const dep = await deployScenario(env, {
      nodes: Number(process.env.BENCH_NODES || 1000),
      replicas: Number(process.env.BENCH_REPLICAS || 10000),
      timeoutSeconds: Number(process.env.BENCH_TIMEOUT_S || 1800),
    });
    results.push(dep);
    console.log(`\nscenario deploy: one Deployment of ${dep.replicas} replicas over ${dep.nodes} nodes (timeScale ${dep.timeScale}; anchors: KWOK's 60 s per 10,000 pods Running, 90 s per 10,000 deleted)`);
    console.table(dep.phases);
  } finally {
    await env.stop();
  }
}
const out = path.join(here, 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2));
console.log(`results written to ${path.relative(process.cwd(), out)}`);
// Scenario clients (watch streams, keep-alive agents) may still hold sockets: the run is over.
process.exit(0);
