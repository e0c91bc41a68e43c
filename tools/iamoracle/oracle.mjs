// oracle.mjs: external differential-test oracle for awsgraph's internal/policy.
//
// Reads ONE JSON array of cases on stdin and prints ONE JSON array of results on
// stdout, in the same order. Each case is a @cloud-copilot/iam-simulate
// `Simulation` object (request, identityPolicies, serviceControlPolicies,
// resourceControlPolicies, resourcePolicy?, permissionBoundaryPolicies?),
// optionally with a `simulationMode` ("Strict" default, or "Discovery").
// Each result is {"overallResult": "Allowed"|"ExplicitlyDenied"|"ImplicitlyDenied"}
// or {"overallResult": "", "error": "..."}.
//
// runSimulation (async, validating) is used on purpose: runUnsafeSimulation in
// 0.1.173 throws on any resource policy. Large batches are split across
// worker threads of this one process (ORACLE_THREADS overrides the count).
//
// This program is an AGPL test oracle run as a separate process only; nothing
// from it is linked into, copied into or shipped with awsgraph.
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import os from 'node:os'

async function one(c) {
  try {
    const mode = c.simulationMode || 'Strict'
    const sim = {
      request: c.request,
      identityPolicies: c.identityPolicies || [],
      serviceControlPolicies: c.serviceControlPolicies || [],
      resourceControlPolicies: c.resourceControlPolicies || [],
      resourcePolicy: c.resourcePolicy,
      permissionBoundaryPolicies: c.permissionBoundaryPolicies,
    }
    const r = await runSimulation(sim, { simulationMode: mode })
    if (r.resultType === 'error') {
      return { overallResult: '', error: JSON.stringify(r.errors) }
    }
    if (r.resultType === 'single') {
      return { overallResult: r.overallResult }
    }
    return { overallResult: r.overallResult || '', error: 'unexpected resultType ' + r.resultType }
  } catch (e) {
    return { overallResult: '', error: String(e && e.stack ? e.stack : e) }
  }
}

async function runAll(cases) {
  const out = []
  for (const c of cases) out.push(await one(c))
  return out
}

if (!isMainThread) {
  parentPort.postMessage(await runAll(workerData))
} else {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  if (!Array.isArray(input)) {
    process.stderr.write('oracle.mjs: stdin must be a JSON array of cases\n')
    process.exit(2)
  }
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
  const threads = Math.max(1, Math.min(Number(process.env.ORACLE_THREADS) || cpus, 8, Math.ceil(input.length / 500)))
  let results
  if (threads === 1) {
    results = await runAll(input)
  } else {
    const size = Math.ceil(input.length / threads)
    const parts = []
    for (let i = 0; i < input.length; i += size) {
      const slice = input.slice(i, i + size)
      parts.push(new Promise((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url), { workerData: slice })
        w.once('message', resolve)
        w.once('error', reject)
      }))
    }
    results = (await Promise.all(parts)).flat()
  }
  process.stdout.write(JSON.stringify(results))
  process.stdout.write('\n')
}
