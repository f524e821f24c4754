// Run.train: a whole run as a stream of events, checkpointed into a run directory. The run is
// stopped in its third epoch (as Ctrl-C would stop it), resumed from its checkpoint, and
// compared with a run that was never stopped: the final weights are the same, bit for bit.
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Strategy } from "@vicinal/core"
import { Events, Run, RunConfig, type RunEvent } from "@vicinal/train"
import { Effect, Stream } from "effect"

// A run config is plain JSON (the same shape `vicinal train --config` reads); decoding it fails
// with an InvalidArgument naming the bad field.
const config = await Effect.runPromise(
  RunConfig.decode({
    name: "two moons",
    seed: 7,
    epochs: 4,
    batchSize: 32,
    backend: "wasm",
    strategy: Strategy.toConfig(Strategy.mixup({ alpha: 1 })),
    model: { kind: "mlp", hidden: [32, 32] },
    data: { dataset: "twoMoons", n: 800, noise: 0.1 },
    optimizer: { _tag: "sgd", lr: 0.05, momentum: 0.9, weightDecay: 1e-4 },
    schedule: { _tag: "cosine", warmupEpochs: 1 },
  }),
)

/** Train, print every event but the per-batch ones (a progress bar redraws those), return them all. */
const train = (options: Run.TrainOptions, onEvent: (event: RunEvent) => void = () => {}) =>
  Effect.runPromise(
    Run.train(config, options).pipe(
      Stream.tap((event) =>
        Effect.sync(() => {
          if (event._tag !== "BatchEnded") console.log(`  ${Events.progressLine(event)}`)
          onEvent(event)
        }),
      ),
      Stream.runCollect,
    ),
  )

const runDir = mkdtempSync(join(tmpdir(), "vicinal-run-"))
try {
  // 1. SIGINT (Ctrl-C) or SIGTERM stops the run at the next batch boundary and checkpoints that
  //    position; here the run also stops itself at batch 5 of epoch 3, as if Ctrl-C had come then.
  console.log("first run, stopped in epoch 3:")
  const signals = Run.abortOnSignals()
  const stop = new AbortController()
  const signal = AbortSignal.any([signals.signal, stop.signal])
  const stopped = await train({ runDir, signal }, (event) => {
    if (event._tag === "BatchEnded" && event.epoch === 2 && event.batch === 5) stop.abort()
  }).finally(signals.dispose)
  console.log(
    `  ends with ${stopped.at(-1)?._tag}; checkpoints kept: ${readdirSync(runDir).sort().join(", ")}`,
  )

  // 2. The same config and directory with `resume: true` continue from the newest checkpoint.
  console.log("resumed:")
  const resumed = await train({ runDir, resume: true, captureWeights: true })

  // 3. A run that was never stopped, for comparison.
  console.log("never stopped:")
  const straight = await train({ captureWeights: true })

  const weights = (events: ReadonlyArray<RunEvent>) => {
    const last = events.at(-1)
    return last?._tag === "RunFinished" ? (last.weights ?? []) : []
  }
  const a = weights(resumed)
  const b = weights(straight)
  const same =
    a.length > 0 &&
    a.length === b.length &&
    a.every((w, i) => w.values.every((v, j) => Object.is(v, b[i]?.values[j])))
  console.log(`resumed and never-stopped runs end with identical weights: ${same}`)
} finally {
  rmSync(runDir, { recursive: true, force: true })
}
