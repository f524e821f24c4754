/**
 * Sweeps across machines on Effect's cluster and workflow modules with PostgreSQL storage
 * (`@effect/sql-pg`): a sweep is a durable workflow (`VicinalSweep`) that executes one child
 * workflow per run (`VicinalRun`, whose one activity trains it). Child workflows hash to
 * different shards, so the runs spread over the runners; activities run inside their workflow's
 * entity, so a sweep of plain activities would stay on one machine.
 *
 * Runners are `vicinal worker --cluster postgres://...` processes; each trains at most
 * `--workers` runs at a time, each in a child process (`vicinal sweep exec DIR ID`, as the
 * embedded mode does), against the results folder DIR, which every machine mounts at the same
 * path. The engine executes activities at least once (a runner that dies or loses PostgreSQL has
 * its activities started again elsewhere), so a run always resumes from its newest checkpoint,
 * and a run's child on this host that is still training is waited for, not doubled.
 */
import { spawn } from "node:child_process"
import { mkdirSync } from "node:fs"
import { hostname } from "node:os"
import { resolve } from "node:path"
import * as NodeClusterSocket from "@effect/platform-node-shared/NodeClusterSocket"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option, Redacted, Schema, Semaphore } from "effect"
import {
  ClusterWorkflowEngine,
  RunnerAddress,
  RunnerHealth,
  ShardingConfig,
  SocketRunner,
  SqlMessageStorage,
  SqlRunnerStorage,
} from "effect/cluster"
import * as Digest from "effect/crypto/Digest"
import * as RpcSerialization from "effect/rpc/RpcSerialization"
import { Activity, Workflow } from "effect/workflow"
import { UsageError } from "./Errors.ts"
import * as Folder from "./SweepFolder.ts"

export const RunWorkflow = Workflow.make("VicinalRun", {
  payload: { dir: Schema.String, id: Schema.String },
  success: Schema.String,
  idempotencyKey: (p) => `${p.dir}#${p.id}`,
})

export const SweepWorkflow = Workflow.make("VicinalSweep", {
  payload: { dir: Schema.String, ids: Schema.Array(Schema.String) },
  success: Schema.Array(Schema.String),
  idempotencyKey: (p) => `${p.dir}#${p.ids.join(",")}`,
})

/** Shard locks: a dead runner's runs move to another after this long. */
const LOCK = { shardLockRefreshInterval: "2 seconds", shardLockExpiration: "6 seconds" } as const

/** `host:port` as a runner address. */
export const parseAddress = (text: string): Effect.Effect<RunnerAddress.RunnerAddress, UsageError> => {
  const m = /^(.+):(\d{1,5})$/.exec(text)
  return m === null || Number(m[2]) > 65535
    ? Effect.fail(
        new UsageError({
          argument: "--listen",
          message: `--listen ${text}: expected host:port that the other workers can reach, e.g. 10.0.0.5:34431`,
        }),
      )
    : Effect.succeed(RunnerAddress.make(m[1]!, Number(m[2])))
}

const storage = (url: string, config: Layer.Layer<ShardingConfig.ShardingConfig>) =>
  Layer.mergeAll(SqlMessageStorage.layer, SqlRunnerStorage.layer).pipe(
    Layer.provide(Layer.mergeAll(PgClient.layer({ url: Redacted.make(url) }), config, Digest.layerWebCrypto)),
  )

/** The workflow engine of a runner listening on `address`. */
const runnerEngine = (url: string, address: RunnerAddress.RunnerAddress) => {
  const config = ShardingConfig.layer({ runnerAddress: Option.some(address), ...LOCK })
  const sharding = SocketRunner.layer.pipe(
    Layer.provide(Layer.mergeAll(NodeClusterSocket.layerClientProtocol, NodeClusterSocket.layerSocketServer)),
    // Dead runners are found by their shard locks expiring in PostgreSQL.
    Layer.provide(RunnerHealth.layerNoop),
  )
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(sharding),
    Layer.provide(storage(url, config)),
    Layer.provide(Layer.mergeAll(config, RpcSerialization.layerNdjson)),
  )
}

/** The workflow engine of a process that submits sweeps and runs none. */
export const clientEngine = (url: string) => {
  const config = ShardingConfig.layer(LOCK)
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(
      SocketRunner.layerClientOnly.pipe(Layer.provide(NodeClusterSocket.layerClientProtocol)),
    ),
    Layer.provide(storage(url, config)),
    Layer.provide(Layer.mergeAll(config, RpcSerialization.layerNdjson)),
  )
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Train run `id` of `dir` in a child process and wait for it; interrupted (the runner stops or
 * loses the run's shard), the child gets SIGTERM and checkpoints. A child of this host still
 * training the run (from an earlier execution of the activity) is waited for first.
 */
const trainInChild = (
  dir: string,
  id: string,
  command: (args: ReadonlyArray<string>) => [string, Array<string>],
  say: (line: string) => void,
) =>
  Effect.callback<string>((resume) => {
    let child: ReturnType<typeof spawn> | undefined
    let cancelled = false
    const start = async () => {
      for (let state = Folder.stateOf(dir, id); state._tag === "running"; state = Folder.stateOf(dir, id)) {
        if (state.worker.host !== hostname() || cancelled) break
        await sleep(500)
      }
      if (cancelled) return
      const before = Folder.stateOf(dir, id)
      if (before._tag === "done" || before._tag === "failed") {
        resume(Effect.succeed(before._tag))
        return
      }
      const [bin, args] = command(["sweep", "exec", dir, id])
      mkdirSync(Folder.runDir(dir, id), { recursive: true })
      child = spawn(bin, args, { stdio: ["ignore", "ignore", "inherit"], env: process.env })
      say(`${id}: training in pid ${child.pid}`)
      child.on("error", (e) =>
        resume(Effect.die(new Error(`${id}: cannot start its process (${e.message})`))),
      )
      child.on("close", (code, signal) => {
        const state = Folder.stateOf(dir, id)
        resume(
          state._tag === "done" || state._tag === "failed"
            ? Effect.succeed(state._tag)
            : Effect.die(
                new Error(`${id}: worker pid ${child?.pid} ended (${signal ?? `exit code ${code}`})`),
              ),
        )
      })
    }
    void start()
    return Effect.sync(() => {
      cancelled = true
      child?.kill("SIGTERM")
    })
  })

/** `vicinal worker --cluster URL`: a runner training the runs the engine assigns to it, until stopped. */
export const worker = (options: {
  readonly url: string
  readonly listen: string
  readonly workers: number
  readonly signal: AbortSignal
  readonly command: (args: ReadonlyArray<string>) => [string, Array<string>]
  readonly say: (line: string) => void
}) =>
  Effect.gen(function* () {
    const address = yield* parseAddress(options.listen)
    const permits = yield* Semaphore.make(options.workers)
    const runs = RunWorkflow.toLayer((payload) =>
      Activity.make({
        name: "train",
        success: Schema.String,
        execute: permits.withPermits(1)(
          trainInChild(resolve(payload.dir), payload.id, options.command, options.say).pipe(
            // A child that died on its own (not the runner) is tried again, resuming its checkpoint.
            Effect.retry({ times: 2 }),
          ),
        ),
      }),
    )
    const sweeps = SweepWorkflow.toLayer((payload) =>
      Effect.forEach(payload.ids, (id) => RunWorkflow.execute({ dir: payload.dir, id }), {
        concurrency: "unbounded",
      }),
    )
    options.say(`worker on ${options.listen}: up to ${options.workers} run(s) at a time; Ctrl-C stops it`)
    const stopped = Effect.callback<void>((resume) => {
      if (options.signal.aborted) resume(Effect.void)
      options.signal.addEventListener("abort", () => resume(Effect.void), { once: true })
    })
    yield* Effect.raceFirst(
      Layer.launch(Layer.mergeAll(runs, sweeps).pipe(Layer.provide(runnerEngine(options.url, address)))),
      stopped,
    )
    return `worker on ${options.listen}: stopped`
  })

/** Execute the sweep workflow for `ids` of `dir` and wait for it (a submitted sweep runs once). */
export const submit = (url: string, dir: string, ids: ReadonlyArray<string>) =>
  SweepWorkflow.execute({ dir, ids: [...ids] }).pipe(Effect.provide(clientEngine(url)))
