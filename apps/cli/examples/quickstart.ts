/**
 * The CLI's pieces used as a library: train ERM and a composed strategy (mixup, then label
 * smoothing) on two moons, write a results folder (config, metrics, tables, pictures) and
 * print the table — what `vicinal reproduce` does, for an experiment of your own.
 *
 *   bun examples/quickstart.ts /tmp/my-experiment      (or: deno run -A examples/quickstart.ts DIR)
 */
import { Strategy } from "@vicinal/core"
import type { Classifier } from "@vicinal/models"
import type { Datasets } from "@vicinal/train"
import { Effect } from "effect"
import { Experiment, Pictures, Setup, Tables } from "../src/index.ts"

export const main = (out: string, epochs = 30) =>
  Effect.gen(function* () {
    const began = performance.now()
    const common: Setup.Common = {
      out,
      seeds: [0],
      epochs,
      backend: "wasm",
      trainSize: undefined,
      testSize: undefined,
      batchSize: 32,
      lr: 0.05,
    }
    const context = {
      resume: false,
      signal: new AbortController().signal,
      write: (text: string) => void process.stderr.write(text),
      tty: false,
      every: 0,
    }
    // Each run measures its decision boundary on a grid once trained.
    const boundary = (data: Datasets.TrainTest) => (classifier: Classifier) =>
      Effect.sync(() => ({ boundary: Pictures.gridToJson(Pictures.probabilityGrid(classifier, data.train)) }))
    const base = {
      model: { kind: "mlp", hidden: [64, 64] },
      data: { dataset: "twoMoons", n: 400, noise: 0.25 },
      after: boundary,
    } as const
    const rows = yield* Experiment.runMethods(
      [
        { ...base, method: "ERM", strategy: Strategy.erm },
        {
          ...base,
          method: "mixup + smoothing",
          setting: "α = 1, ε = 0.1",
          strategy: Strategy.chain(Strategy.mixup({ alpha: 1 }), Strategy.labelSmoothing({ epsilon: 0.1 })),
        },
      ],
      common,
      context,
      Setup.dataCache(),
    )
    const points = (yield* Setup.dataCache()(base.data, 0)).train
    const picture = yield* Pictures.write(
      Pictures.boundaries(Pictures.panelsOf(rows), points, "Two moons"),
      out,
      "decision-boundary",
    )
    return yield* Experiment.writeFolder(out, {
      experiment: "quickstart",
      options: common,
      rows,
      tables: Tables.testError(rows),
      records: Tables.records(rows),
      pictures: [picture],
      began,
    })
  })

if ((import.meta as { readonly main?: boolean }).main) {
  const written = await Effect.runPromise(main(process.argv[2] ?? "results/quickstart"))
  console.log(written.tables)
}
