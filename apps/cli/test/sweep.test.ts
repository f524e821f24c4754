/**
 * `vicinal sweep` end to end, with real worker processes: a 2 x 2 x 2-seed sweep of tiny MLP runs
 * on 2 workers with a worker killed (SIGKILL) in the middle of a run reports exactly what an
 * uninterrupted 1-worker sweep reports, with identical final weights; running it again trains
 * nothing; a corrupt checkpoint is refused and its run restarts from scratch; an invalid
 * configuration fails only its run, naming the field, and status shows it.
 */
import assert from "node:assert/strict"
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, test } from "node:test"
import { killMidRun, run, tempDir, tinySweepYaml } from "./helpers.ts"

const sweepYaml = (axes: string, seeds: string) => tinySweepYaml("tiny", axes, seeds)

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"))
const runIds = (out: string) => readdirSync(join(out, "runs")).sort()
const summary = (out: string, id: string) => readJson(join(out, "runs", id, "summary.json"))

describe("vicinal sweep", () => {
  test("kill -9 of a worker mid-run: the run resumes elsewhere and the report equals an uninterrupted 1-worker sweep's; a second submission trains nothing; a corrupt checkpoint restarts its run from scratch", async () => {
    const root = tempDir("sweep")
    const file = join(root, "tiny.yaml")
    writeFileSync(file, sweepYaml("  strategy.alpha: [0.2, 1]\n  data.labelNoise: [0, 0.2]", "[0, 1]"))

    const reference = join(root, "one-worker")
    const one = await run(["sweep", "run", file, "--workers", "1", "--out", reference])
    assert.equal(one.code, 0, one.stderr)
    assert.equal(runIds(reference).length, 8)

    const out = join(root, "two-workers")
    // SIGKILL of the run's process: its embedded runner sees it die and queues the run again.
    const killer = killMidRun(out, (r) => {
      process.kill(r.worker.pid, "SIGKILL")
      return r.id
    })
    const two = await run(["sweep", "run", file, "--workers", "2", "--out", out])
    killer.stop()
    assert.equal(two.code, 0, two.stderr)
    const killed = killer.killed()
    assert.ok(killed !== undefined, `no worker was killed mid-run:\n${two.stderr}`)
    assert.match(
      two.stderr,
      new RegExp(`${killed} .*ended \\(SIGKILL\\) before the run finished; queued again`),
    )
    // Resumed from its checkpoint by a new worker, not started over.
    assert.ok(summary(out, killed).resumedFrom.length >= 1, JSON.stringify(summary(out, killed)))
    assert.deepEqual(runIds(out), runIds(reference))
    for (const id of runIds(out)) {
      assert.equal(summary(out, id).weightsSha256, summary(reference, id).weightsSha256, `weights of ${id}`)
      const finished = readFileSync(join(out, "runs", id, "events.log"), "utf8").match(/ finished:/g) ?? []
      assert.equal(finished.length, 1, `${id} finished once`)
    }
    assert.deepEqual(readJson(join(out, "report.json")), readJson(join(reference, "report.json")))
    const report = readJson(join(out, "report.json"))
    assert.equal(report.rows.length, 4)
    for (const row of report.rows)
      assert.equal(row.lastTestError.n, 2, "each configuration counts its 2 seeds once")
    for (const picture of ["report.md", "report.svg", "report.png"])
      assert.ok(existsSync(join(out, picture)), picture)

    const status = await run(["sweep", "status", out])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, /8 runs: 8 done, 0 running, 0 failed, 0 waiting/)

    // Submitting the same sweep again trains nothing.
    const written = statSync(join(out, "runs", killed, "summary.json")).mtimeMs
    const again = await run(["sweep", "run", file, "--workers", "2", "--out", out])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr, /8 runs, 0 to train .*8 finished earlier/)
    assert.doesNotMatch(again.stderr, /worker pid/)
    assert.equal(statSync(join(out, "runs", killed, "summary.json")).mtimeMs, written)

    // A damaged checkpoint is refused; the run starts over and ends with the same weights.
    const victim = runIds(out)[0]!
    const checkpoints = join(out, "runs", victim, "checkpoints")
    const newest = readdirSync(checkpoints)
      .filter((f) => f.endsWith(".vck"))
      .sort()
      .at(-1)!
    const bytes = readFileSync(join(checkpoints, newest))
    bytes[bytes.length - 5] = (bytes[bytes.length - 5]! + 1) % 256
    writeFileSync(join(checkpoints, newest), bytes)
    const expected = summary(out, victim).weightsSha256
    const { rmSync } = await import("node:fs")
    rmSync(join(out, "runs", victim, "summary.json"))
    const repaired = await run(["sweep", "run", file, "--out", out])
    assert.equal(repaired.code, 0, repaired.stderr)
    const log = readFileSync(join(out, "runs", victim, "events.log"), "utf8")
    assert.match(log, /checkpoint refused \(corrupt\): .*restarting the run from scratch/)
    assert.match(
      readFileSync(join(out, "runs", victim, "worker.log"), "utf8"),
      /checkpoint refused \(corrupt\)/,
    )
    assert.equal(summary(out, victim).weightsSha256, expected)
    assert.deepEqual(readJson(join(out, "report.json")), readJson(join(reference, "report.json")))
  })

  test("an invalid configuration fails only its run, naming the field; status shows it; a second submission while it runs is refused", async () => {
    const root = tempDir("sweep-invalid")
    const file = join(root, "lr.json")
    const yaml = sweepYaml("  optimizer.lr: [0.05, -1]", "[0]")
    writeFileSync(join(root, "lr.yaml"), yaml)
    const out = join(root, "out")
    let second: Promise<Awaited<ReturnType<typeof run>>> | undefined
    const first = await run(["sweep", "run", join(root, "lr.yaml"), "--workers", "2", "--out", out], {
      onStderr: (text) => {
        if (second === undefined && /worker pid \d+ started/.test(text))
          second = run(["sweep", "run", join(root, "lr.yaml"), "--out", out])
      },
    })
    assert.equal(first.code, 1, first.stderr)
    assert.match(first.stderr, /invalid config, not run: optimizer\.lr: /)
    assert.match(first.stderr, /1 of 2 runs failed/)
    assert.ok(second !== undefined)
    const refused = await second
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /is being run by pid \d+/)
    assert.ok(!existsSync(file))

    const status = await run(["sweep", "status", out])
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, /2 runs: 1 done, 0 running, 1 failed, 0 waiting/)
    assert.match(status.stdout, /failed +\| optimizer\.lr: /)
    const failures = runIds(out).flatMap((id) =>
      existsSync(join(out, "runs", id, "error.json")) ? [readJson(join(out, "runs", id, "error.json"))] : [],
    )
    assert.deepEqual(
      failures.map((f) => [f.error, f.field]),
      [["InvalidArgument", "optimizer.lr"]],
    )
  })
})
