// Spike: effect/cluster + effect/workflow with @effect/sql-pg, runners as plain processes.
// usage: runner.ts runner PORT | runner.ts submit N SECONDS
import { appendFileSync } from "node:fs"
import * as NodeClusterSocket from "@effect/platform-node-shared/NodeClusterSocket"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option, Redacted, Schema } from "effect"
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

const url = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:54329/postgres"
const log = (line: string) =>
  appendFileSync("/tmp/spike/events.log", `${new Date().toISOString()} ${process.pid} ${line}\n`)

export const RunWorkflow = Workflow.make("Run", {
  payload: { id: Schema.String, seconds: Schema.Number },
  success: Schema.String,
  idempotencyKey: (p) => p.id,
})
export const SweepWorkflow = Workflow.make("Sweep", {
  payload: { name: Schema.String, ids: Schema.Array(Schema.String), seconds: Schema.Number },
  success: Schema.Array(Schema.String),
  idempotencyKey: (p) => p.name,
})

const RunLayer = RunWorkflow.toLayer((payload) =>
  Activity.make({
    name: `train-${payload.id}`,
    success: Schema.String,
    execute: Effect.gen(function* () {
      const attempt = yield* Activity.CurrentAttempt
      log(`start ${payload.id} attempt ${attempt}`)
      yield* Effect.sleep(`${payload.seconds} seconds`)
      log(`done ${payload.id}`)
      return `${payload.id} by ${process.pid}`
    }),
  }),
)
const SweepLayer = SweepWorkflow.toLayer((payload) =>
  Effect.forEach(payload.ids, (id) => RunWorkflow.execute({ id, seconds: payload.seconds }), {
    concurrency: "unbounded",
  }),
)

const pg = PgClient.layer({ url: Redacted.make(url) })
const storage = (config: Layer.Layer<ShardingConfig.ShardingConfig>) =>
  Layer.mergeAll(SqlMessageStorage.layer, SqlRunnerStorage.layer).pipe(
    Layer.provide(Layer.mergeAll(pg, config, Digest.layerWebCrypto)),
  )

const runner = (port: number) => {
  const config = ShardingConfig.layer({
    runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port)),
    shardLockRefreshInterval: "2 seconds",
    shardLockExpiration: "6 seconds",
  })
  const sharding = SocketRunner.layer.pipe(
    Layer.provide(Layer.mergeAll(NodeClusterSocket.layerClientProtocol, NodeClusterSocket.layerSocketServer)),
    Layer.provide(RunnerHealth.layerNoop),
  )
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(sharding),
    Layer.provide(storage(config)),
    Layer.provide(Layer.mergeAll(config, RpcSerialization.layerNdjson)),
  )
}

const [mode, a, b] = process.argv.slice(2)
if (mode === "runner") {
  const port = Number(a)
  log(`runner on ${port}`)
  Layer.launch(Layer.mergeAll(RunLayer, SweepLayer).pipe(Layer.provide(runner(port)))).pipe(Effect.runFork)
} else {
  const n = Number(a)
  const seconds = Number(b)
  const config = ShardingConfig.layer({})
  const client = ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(
      SocketRunner.layerClientOnly.pipe(Layer.provide(NodeClusterSocket.layerClientProtocol)),
    ),
    Layer.provide(storage(config)),
    Layer.provide(Layer.mergeAll(config, RpcSerialization.layerNdjson)),
  )
  const ids = Array.from({ length: n }, (_, k) => `${process.env.TAG}-run${k}`)
  const program = SweepWorkflow.execute({ name: `sweep-${process.env.TAG}`, ids, seconds }).pipe(
    Effect.tap((r) => Effect.sync(() => console.log("sweep result", JSON.stringify(r)))),
  )
  Effect.runPromise(program.pipe(Effect.provide(client))).then(
    () => process.exit(0),
    (e) => {
      console.error("submit failed", e)
      process.exit(1)
    },
  )
}
