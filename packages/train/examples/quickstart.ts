/**
 * Train a small MLP with mixup, print progress, checkpoint into a run directory, and resume if
 * run again with the same directory.
 *
 *   bun packages/train/examples/quickstart.ts [runDir]
 *   deno run -A packages/train/examples/quickstart.ts [runDir]
 */
import * as os from "node:os"
import * as path from "node:path"
import { Strategy } from "@vicinal/core"
import { Events, Run, RunConfig } from "@vicinal/train"
import { Effect, Stream } from "effect"

export const config = {
  name: "quickstart",
  seed: 42,
  epochs: 3,
  batchSize: 32,
  backend: "auto", // tfjs-node-gpu, then tfjs-node, then wasm, then cpu
  strategy: Strategy.toConfig(Strategy.mixup({ alpha: 1 })),
  model: { kind: "mlp", hidden: [32, 32] },
  data: { dataset: "twoMoons", n: 800, noise: 0.1 },
  optimizer: { _tag: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 1e-4 },
  schedule: { _tag: "cosine", warmupEpochs: 1 },
}

/** Decode the JSON config (a bad field fails with an InvalidArgument naming it), train, log each event. */
export const main = (runDir: string, log: (line: string) => void = console.log) =>
  Effect.gen(function* () {
    const decoded = yield* RunConfig.decode(config)
    const stop = Run.abortOnSignals() // Ctrl-C: checkpoint at the next batch and stop
    const events = yield* Run.train(decoded, { runDir, resume: true, signal: stop.signal }).pipe(
      Stream.filter((event) => event._tag !== "BatchEnded"),
      Stream.tap((event) => Effect.sync(() => log(Events.progressLine(event)))),
      Stream.runCollect,
      Effect.ensuring(Effect.sync(stop.dispose)),
    )
    return events
  })

if (import.meta.main) {
  const runDir = process.argv[2] ?? path.join(os.tmpdir(), "vicinal-quickstart")
  await Effect.runPromise(main(runDir))
}
