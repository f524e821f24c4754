/**
 * Real child processes: a run killed with SIGKILL and resumed ends with the same weights, bit
 * for bit, as an uninterrupted run; SIGINT stops a run cleanly with a checkpoint. Each runtime
 * spawns itself (Bun: `bun script`, Deno: `deno run -A script`).
 */
import assert from "node:assert/strict"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { test } from "node:test"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { Checkpoint } from "../src/index.ts"

const fixture = fileURLToPath(new URL("./fixtures/train-child.ts", import.meta.url))
const isDeno = "Deno" in globalThis
const finalCheckpoint = Checkpoint.fileName({ epoch: 3, batch: 0 })

interface Child {
  readonly process: ChildProcess
  /** Everything printed so far. */
  readonly output: () => string
  readonly exit: Promise<{
    readonly code: number | null
    readonly signal: NodeJS.Signals | null
    readonly stdout: string
  }>
}

const start = (runDir: string, mode: "fresh" | "resume", pauseAt?: Checkpoint.Position): Child => {
  const args = [
    ...(isDeno ? ["run", "-A", "--no-lock"] : []),
    fixture,
    runDir,
    ...(mode === "resume" ? ["resume"] : []),
    ...(pauseAt === undefined ? [] : [`--pause-at=${pauseAt.epoch}:${pauseAt.batch}`]),
  ]
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  })
  let stdout = ""
  let stderr = ""
  child.stdout?.on("data", (d) => {
    stdout += String(d)
  })
  child.stderr?.on("data", (d) => {
    stderr += String(d)
  })
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>(
    (resolve) =>
      child.on("exit", (code, signal) => {
        if (code !== 0 && signal === null) console.error(stderr)
        resolve({ code, signal, stdout })
      }),
  )
  return { process: child, output: () => stdout, exit }
}

const events = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { readonly _tag: string; readonly [k: string]: unknown })

/** Resolves once the child has printed `text` (e.g. an event tag). */
const printed = async (child: Child, text: string) => {
  while (!child.output().includes(text)) {
    if (child.process.exitCode !== null) throw new Error(`the child exited before printing ${text}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const finalState = async (dir: string) => {
  const c = await Effect.runPromise(Checkpoint.load(path.join(dir, finalCheckpoint)))
  const bytes = (values: Float32Array) =>
    Array.from(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
  return {
    weights: c.weights.map((w) => bytes(w.values)),
    slots: c.optimizer.slots.map((s) => bytes(s.values)),
    steps: c.optimizer.steps,
    rng: c.rng,
  }
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "vicinal-child-"))

test("SIGKILL mid-run then resume gives the uninterrupted run's weights bit for bit; SIGINT stops cleanly with a checkpoint", async () => {
  const [straightDir, killedDir, interruptedDir] = [tempDir(), tempDir(), tempDir()]
  const straight = start(straightDir, "fresh")
  // Each child holds at a known batch until it is signalled, so the test does not depend on how
  // fast the machine is: killed mid-way through the second epoch (after its first checkpoint),
  // interrupted early in the first (the resume then skips the batches it had done).
  const killed = start(killedDir, "fresh", { epoch: 1, batch: 5 })
  const interrupted = start(interruptedDir, "fresh", { epoch: 0, batch: 3 })

  await printed(killed, "paused")
  killed.process.kill("SIGKILL")
  await printed(interrupted, "paused")
  interrupted.process.kill("SIGINT")

  const killedExit = await killed.exit
  assert.equal(killedExit.signal, "SIGKILL")
  assert.ok(
    !fs.existsSync(path.join(killedDir, finalCheckpoint)),
    "killed after it had finished: the test proves nothing",
  )
  assert.ok(fs.existsSync(path.join(killedDir, Checkpoint.fileName({ epoch: 1, batch: 0 }))))

  const interruptedExit = await interrupted.exit
  // Deno's child_process reports a child that handled SIGINT and exited 0 as (null, "SIGINT");
  // the RunInterrupted event below is what shows the stop was clean.
  assert.ok(
    interruptedExit.code === 0 || (isDeno && interruptedExit.signal === "SIGINT"),
    `SIGINT should end the run cleanly (code ${interruptedExit.code}, signal ${interruptedExit.signal})`,
  )
  const stopped = events(interruptedExit.stdout).at(-1)
  assert.equal(stopped?._tag, "RunInterrupted")
  assert.ok(fs.existsSync(String(stopped?.checkpoint)), "the interrupted run names the checkpoint it wrote")
  assert.ok(!fs.existsSync(path.join(interruptedDir, finalCheckpoint)))

  const [resumedKilled, resumedInterrupted] = [start(killedDir, "resume"), start(interruptedDir, "resume")]
  const results = await Promise.all([straight.exit, resumedKilled.exit, resumedInterrupted.exit])
  for (const r of results) assert.equal(r.code, 0)
  const resumedFrom = (stdout: string) => {
    const started = events(stdout)[0]
    assert.equal(started?._tag, "RunStarted")
    return started?.resumedFrom
  }
  assert.deepEqual(resumedFrom(results[1]!.stdout), { epoch: 1, batch: 0 })
  const stoppedAt = stopped?.position as Checkpoint.Position
  assert.deepEqual(resumedFrom(results[2]!.stdout), stoppedAt)
  assert.ok(stoppedAt.epoch === 0 && stoppedAt.batch > 3, "the resume continues mid-epoch")

  const reference = await finalState(straightDir)
  assert.ok(reference.steps > 0)
  assert.deepEqual(await finalState(killedDir), reference)
  assert.deepEqual(await finalState(interruptedDir), reference)
  for (const dir of [straightDir, killedDir, interruptedDir]) fs.rmSync(dir, { recursive: true })
})
