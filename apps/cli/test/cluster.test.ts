/**
 * Distributed sweeps against a real PostgreSQL (started here in a temporary folder) with two
 * real `vicinal worker --cluster` processes: a worker killed (SIGKILL) in the middle of a run
 * has the run taken over by the other one, resumed from its checkpoint, with the same weights
 * and report as an embedded 1-worker sweep; PostgreSQL restarted in the middle of a sweep: the
 * workers reconnect and the sweep completes.
 */
import assert from "node:assert/strict"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, test } from "node:test"
import { command, killMidRun, run, tempDir, tinySweepYaml } from "./helpers.ts"
import * as Postgres from "./postgres.ts"

const sweepYaml = (seeds: string) => tinySweepYaml("cluster", "  strategy.alpha: [0.2, 1]", seeds)

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"))
const runIds = (out: string) => (existsSync(join(out, "runs")) ? readdirSync(join(out, "runs")).sort() : [])
const summary = (out: string, id: string) => readJson(join(out, "runs", id, "summary.json"))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const startWorker = async (url: string) => {
  const port = await Postgres.freePort()
  const [bin, argv] = command(["worker", "--cluster", url, "--listen", `127.0.0.1:${port}`])
  const child = spawn(bin, [...argv], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stdout?.on("data", (c: Buffer) => {
    output += c.toString()
  })
  child.stderr?.on("data", (c: Buffer) => {
    output += c.toString()
  })
  for (let waited = 0; !/Listening on/.test(output); waited += 200) {
    if (waited > 120_000 || child.exitCode !== null) throw new Error(`worker did not start:\n${output}`)
    await sleep(200)
  }
  return { child, output: () => output }
}

/**
 * SIGKILL the worker of a run past its first checkpoint: the runner and the run's process. The
 * whole worker dies, as with its machine: the run's own process too, which would otherwise finish
 * a tiny run on its own before noticing that its runner is gone.
 */
const killWorkerMidRun = (out: string) =>
  killMidRun(out, (r) => {
    const runner = r.worker.parent as number
    process.kill(r.worker.pid, "SIGKILL")
    process.kill(runner, "SIGKILL")
    return { id: r.id, runner }
  })

describe("vicinal sweep on a cluster", () => {
  test("kill -9 of a worker mid-run: another resumes the run from its checkpoint, identical weights and report; PostgreSQL restarted mid-sweep: the sweep completes", async () => {
    const root = tempDir("cluster")
    const file = join(root, "cluster.yaml")
    writeFileSync(file, sweepYaml("[0]"))
    const reference = join(root, "embedded")
    const embedded = await run(["sweep", "run", file, "--workers", "1", "--out", reference])
    assert.equal(embedded.code, 0, embedded.stderr)

    const pg = await Postgres.start()
    const workers: Array<ChildProcess> = []
    try {
      const first = await startWorker(pg.url)
      const second = await startWorker(pg.url)
      workers.push(first.child, second.child)

      const out = join(root, "cluster")
      const killer = killWorkerMidRun(out)
      const submitted = await run(["sweep", "run", file, "--cluster", pg.url, "--out", out])
      killer.stop()
      const killed = killer.killed()
      assert.equal(submitted.code, 0, `${submitted.stderr}\n${first.output()}\n${second.output()}`)
      assert.ok(killed !== undefined, "no worker was killed mid-run")
      assert.ok(
        workers.some((w) => w.pid === killed.runner),
        "the killed process is one of the workers",
      )
      assert.ok(summary(out, killed.id).resumedFrom.length >= 1, JSON.stringify(summary(out, killed.id)))
      assert.deepEqual(runIds(out), runIds(reference))
      for (const id of runIds(out)) {
        assert.equal(summary(out, id).weightsSha256, summary(reference, id).weightsSha256, `weights of ${id}`)
        const log = readFileSync(join(out, "runs", id, "events.log"), "utf8")
        assert.equal((log.match(/ finished:/g) ?? []).length, 1, `${id} finished once:\n${log}`)
      }
      assert.deepEqual(readJson(join(out, "report.json")), readJson(join(reference, "report.json")))

      // PostgreSQL goes down for a few seconds while runs train.
      const restartFile = join(root, "restart.yaml")
      writeFileSync(restartFile, sweepYaml("[1]"))
      const restartOut = join(root, "restart")
      const pending = run(["sweep", "run", restartFile, "--cluster", pg.url, "--out", restartOut])
      for (
        let waited = 0;
        !runIds(restartOut).some((id) => existsSync(join(restartOut, "runs", id, "progress.json")));
        waited += 100
      ) {
        assert.ok(waited < 300_000, "no run started")
        await sleep(100)
      }
      pg.stop()
      await sleep(3000)
      pg.start()
      const restarted = await pending
      assert.equal(restarted.code, 0, restarted.stderr)
      const status = await run(["sweep", "status", restartOut])
      assert.match(status.stdout, /2 runs: 2 done, 0 running, 0 failed, 0 waiting/)
    } finally {
      for (const w of workers) w.kill("SIGKILL")
      pg.dispose()
    }
  })
})
