/**
 * `vicinal train`, `vicinal eval` and `vicinal attack`: one run config (a JSON file and/or
 * flags) trained for one or more seeds and saved; a saved run evaluated or attacked.
 */
import { join } from "node:path"
import { Table } from "@vicinal/attacks"
import { Strategy } from "@vicinal/core"
import { type Classifier, Models } from "@vicinal/models"
import { Augmentation, Backend, Datasets, Evaluate, RunConfig } from "@vicinal/train"
import { Effect, Option } from "effect"
import { type CliError, describe, StepFailed, stepFailed, UsageError } from "./Errors.ts"
import * as Experiment from "./Experiment.ts"
import * as Files from "./Files.ts"
import * as Markdown from "./Markdown.ts"
import * as Options from "./Options.ts"
import * as Pictures from "./Pictures.ts"
import * as Robustness from "./Robustness.ts"
import * as Runner from "./Runner.ts"
import * as Setup from "./Setup.ts"
import * as Stats from "./Stats.ts"
import * as Tables from "./Tables.ts"

export const strategyNames = [
  "erm",
  "mixup",
  "cutmix",
  "fmix",
  "resizeMix",
  "mixImages",
  "labelSmoothing",
  "gaussianNoise",
  "manifold",
] as const
export type StrategyName = (typeof strategyNames)[number]

/** `train`'s flags: the ones a config file also sets are overrides, present only when given. */
export interface TrainFlags extends Omit<Options.CommonFlags, "seed" | "backend" | "batchSize" | "lr"> {
  readonly seed: Option.Option<number>
  readonly backend: Option.Option<Backend.BackendChoice>
  readonly batchSize: Option.Option<number>
  readonly lr: Option.Option<number>
  readonly config: Option.Option<string>
  readonly strategy: Option.Option<StrategyName>
  readonly alpha: Option.Option<number>
  readonly smoothing: Option.Option<number>
  readonly sigma: Option.Option<number>
  readonly model: Option.Option<"mlp" | "smallCnn">
  readonly hidden: Option.Option<string>
  readonly labelNoise: Option.Option<number>
  readonly dataset: Option.Option<"mnist" | "twoMoons" | "circles" | "spirals">
}

/** The strategy parameters' values when their flags are not given. */
export const parameterDefaults = { alpha: 1, smoothing: 0.1, sigma: 0.1 } as const

type Parameter = keyof typeof parameterDefaults

/** The strategies each parameter flag applies to. */
const parameterOf: Readonly<Record<Parameter, ReadonlyArray<StrategyName>>> = {
  alpha: ["mixup", "cutmix", "fmix", "mixImages", "manifold"],
  smoothing: ["labelSmoothing"],
  sigma: ["gaussianNoise"],
}

/**
 * The strategy named by `--strategy` (or implied: mixup when there is no config file) with its
 * parameter flags, or undefined to keep the config file's. A parameter flag is never dropped:
 * one the strategy has no use for, or one given to a config file's strategy without
 * `--strategy`, is refused.
 */
export const strategyFromFlags = (
  flags: Pick<TrainFlags, "config" | "strategy" | Parameter>,
): Effect.Effect<
  { readonly name: StrategyName; readonly values: Record<Parameter, number> } | undefined,
  UsageError
> =>
  Effect.gen(function* () {
    const given = (Object.keys(parameterDefaults) as ReadonlyArray<Parameter>).filter((p) =>
      Option.isSome(flags[p]),
    )
    const name = Option.getOrUndefined(flags.strategy) ?? (Option.isSome(flags.config) ? undefined : "mixup")
    const flagOf = (p: Parameter) => `--${p} ${Option.getOrUndefined(flags[p])}`
    if (name === undefined) {
      const first = given[0]
      if (first === undefined) return undefined
      return yield* new UsageError({
        argument: `--${first}`,
        message: `${flagOf(first)}: the strategy comes whole from --config ${Option.getOrUndefined(flags.config)}, so this flag would be ignored; add --strategy (e.g. --strategy ${parameterOf[first][0]} ${flagOf(first)}) to replace the config's strategy, or edit the config file`,
      })
    }
    const unused = given.find((p) => !parameterOf[p].includes(name))
    if (unused !== undefined)
      return yield* new UsageError({
        argument: `--${unused}`,
        message: `${flagOf(unused)}: strategy ${name} has no ${unused}; it applies to ${parameterOf[unused].join(", ")} (give one of them with --strategy, or drop --${unused})`,
      })
    return {
      name,
      values: {
        alpha: Option.getOrElse(flags.alpha, () => parameterDefaults.alpha),
        smoothing: Option.getOrElse(flags.smoothing, () => parameterDefaults.smoothing),
        sigma: Option.getOrElse(flags.sigma, () => parameterDefaults.sigma),
      },
    }
  })

/** A run's name from its strategy: "mixup, α = 4", "erm", "labelSmoothing, ε = 0.1". */
export const strategyLabel = (name: StrategyName, values: Record<Parameter, number>): string => {
  const parameter = (Object.keys(parameterOf) as ReadonlyArray<Parameter>).find((p) =>
    parameterOf[p].includes(name),
  )
  const symbol = { alpha: "α", smoothing: "ε", sigma: "σ" } as const
  return parameter === undefined ? name : `${name}, ${symbol[parameter]} = ${values[parameter]}`
}

/** The strategy a name and its parameter values describe. */
export const strategyOf = (
  name: StrategyName,
  flags: Record<Parameter, number>,
  hiddenStages: number,
): Strategy.Strategy => {
  switch (name) {
    case "erm":
      return Strategy.erm
    case "mixup":
      return Strategy.mixup({ alpha: flags.alpha })
    case "cutmix":
      return Strategy.cutmix({ alpha: flags.alpha })
    case "fmix":
      return Strategy.fmix({ alpha: flags.alpha })
    case "resizeMix":
      return Strategy.resizeMix()
    case "mixImages":
      return Strategy.mixImages({ alpha: flags.alpha })
    case "labelSmoothing":
      return Strategy.labelSmoothing({ epsilon: flags.smoothing })
    case "gaussianNoise":
      return Strategy.gaussianNoise({ sigma: flags.sigma })
    case "manifold":
      return Strategy.manifold({
        stages: Array.from({ length: hiddenStages + 1 }, (_, i) => i),
        alpha: flags.alpha,
      })
  }
}

/** What `train` uses without a config file (also what its --help names as the defaults). */
export const trainDefaults = {
  seed: 0,
  epochs: 5,
  batchSize: 128,
  backend: "wasm",
  lr: 0.05,
  hidden: [256],
} as const

/** The run config without a file: MNIST, MLP 256, mixup (alpha 1), 5 epochs, SGD; named by its strategy. */
export const defaultConfig = (): Record<string, unknown> => ({
  name: strategyLabel("mixup", parameterDefaults),
  seed: trainDefaults.seed,
  epochs: trainDefaults.epochs,
  batchSize: trainDefaults.batchSize,
  backend: trainDefaults.backend,
  strategy: Strategy.toConfig(Strategy.mixup({ alpha: 1 })),
  model: { kind: "mlp", hidden: [...trainDefaults.hidden] },
  data: { dataset: "mnist" },
  optimizer: { _tag: "sgd", lr: trainDefaults.lr, momentum: 0.9, weightDecay: 1e-4 },
  schedule: { _tag: "constant" },
  trainError: true,
})

const record = (u: unknown): Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? (u as Record<string, unknown>) : {}

/** The config file (or the default) with the flags given on the command line laid over it, as JSON. */
export const configJson = (flags: TrainFlags): Effect.Effect<Record<string, unknown>, CliError> =>
  Effect.gen(function* () {
    const base = Option.isSome(flags.config)
      ? record(
          yield* Files.readJson(flags.config.value).pipe(
            Effect.mapError(
              (e) => new UsageError({ argument: "--config", message: `--config ${e.message}` }),
            ),
          ),
        )
      : defaultConfig()
    const hidden = Option.isSome(flags.hidden)
      ? yield* Options.numberList("--hidden", flags.hidden.value, Options.positiveIntegers)
      : undefined
    const model = record(base.model)
    const nextModel = {
      ...model,
      ...(Option.isSome(flags.model) ? { kind: flags.model.value } : {}),
      ...(hidden === undefined ? {} : { hidden }),
    }
    if (nextModel.kind === "smallCnn") delete nextModel.hidden
    const data = record(base.data)
    const dataset = Option.getOrUndefined(flags.dataset)
    const nextData = {
      ...(dataset === undefined
        ? data
        : dataset === "mnist"
          ? { dataset }
          : { dataset, n: 1000, noise: 0.2 }),
      ...(Option.isSome(flags.labelNoise) ? { labelNoise: flags.labelNoise.value } : {}),
      ...((dataset ?? data.dataset) === "mnist"
        ? {
            ...(Option.isSome(flags.limit) ? { trainSize: flags.limit.value } : {}),
            ...(Option.isSome(flags.testLimit) ? { testSize: flags.testLimit.value } : {}),
          }
        : {}),
    }
    const stages = Array.isArray(nextModel.hidden) ? nextModel.hidden.length : 3
    const strategy = yield* strategyFromFlags(flags)
    const given = <A>(o: Option.Option<A>, key: string) => (Option.isSome(o) ? { [key]: o.value } : {})
    return {
      ...base,
      // The first seed: the flag's, else the config's, else 0.
      seed: Option.getOrElse(flags.seed, () => base.seed ?? 0),
      ...given(flags.epochs, "epochs"),
      ...given(flags.batchSize, "batchSize"),
      ...given(flags.backend, "backend"),
      ...(strategy === undefined
        ? {}
        : {
            // A run named by the strategy the flags chose (its folder: runs/<name>-seed<k>).
            name: strategyLabel(strategy.name, strategy.values),
            strategy: Strategy.toConfig(strategyOf(strategy.name, strategy.values, stages)),
          }),
      model: nextModel,
      data: nextData,
      ...(Option.isSome(flags.lr) ? { optimizer: { ...record(base.optimizer), lr: flags.lr.value } } : {}),
    }
  })

/** Decode a run config, naming the field and where it came from. */
export const decodeConfig = (json: unknown, source: string): Effect.Effect<RunConfig.RunConfig, UsageError> =>
  RunConfig.decode(json).pipe(
    Effect.mapError((e) => new UsageError({ argument: e.argument, message: `${source}: ${e.message}` })),
  )

const boundaryAfter = (data: Datasets.TrainTest) => (classifier: Classifier) =>
  Effect.try({
    try: () => ({ boundary: Pictures.gridToJson(Pictures.probabilityGrid(classifier, data.train)) }),
    catch: stepFailed("decision boundary"),
  })

export const train = (flags: TrainFlags, context: Runner.Context) =>
  Effect.gen(function* () {
    const began = performance.now()
    const json = yield* configJson(flags)
    const source = Option.isSome(flags.config) ? `--config ${flags.config.value}` : "train flags"
    const first = yield* decodeConfig(json, source)
    const out = yield* Options.outDir("train", flags.out, flags.resume)
    const seeds = Setup.seedList(first.seed, flags.seeds)
    const name = first.name ?? first.strategy._tag.toLowerCase()
    const load = Setup.dataCache()
    const outcomes = yield* Effect.forEach(seeds, (seed) =>
      Effect.gen(function* () {
        const config = yield* decodeConfig({ ...json, seed }, source)
        const data = yield* load(config.data, seed)
        const planar =
          data.train.shape.length === 2 && data.train.shape[1] === 2 && data.train.numClasses <= 8
        return yield* Runner.run(
          {
            name: `${name}, seed ${seed}`,
            dir: Setup.runDir(out, Setup.slug(name), seed),
            config,
            data,
            saveModel: true,
            ...(planar ? { after: boundaryAfter(data) } : {}),
          },
          context,
        )
      }),
    )
    const rows = [{ method: name, outcomes }]
    const data = yield* load(first.data, first.seed)
    const image = data.train.shape.length === 4
    const grid = (outcomes[0]?.extra as { readonly boundary?: Pictures.GridJson } | undefined)?.boundary
    const curves = outcomes.map((o) => ({ name: `seed ${o.seed}`, history: o.history }))
    const trainErrorMeasured = curves.some((c) => c.history.some((m) => m.trainErrorTrue !== undefined))
    const pictures = [
      yield* Pictures.write(
        Pictures.curves(curves, {
          title: `${name}: test error`,
          yLabel: "test top-1 error",
          metric: (m) => m.testTop1Error,
        }),
        out,
        "test-error",
      ),
      ...(trainErrorMeasured
        ? [
            yield* Pictures.write(
              Pictures.curves(curves, {
                title: `${name}: training error (true labels)`,
                yLabel: "training error",
                metric: (m) => m.trainErrorTrue,
              }),
              out,
              "training-error",
            ),
          ]
        : []),
      ...(image
        ? [
            yield* Pictures.write(
              Pictures.mixedExamples(data.train, first.strategy, {
                count: 16,
                seed: first.seed,
                title: `${name}: training examples`,
              }),
              out,
              "mixed-examples",
            ),
          ]
        : []),
      ...(grid === undefined
        ? []
        : [
            yield* Pictures.write(
              Pictures.boundaries([{ title: name, grid }], data.train, `${name}: decision boundary`),
              out,
              "decision-boundary",
            ),
          ]),
    ]
    const tables = [`## ${name}`, "", Tables.testError(rows)].join("\n")
    return yield* Experiment.writeFolder(out, {
      experiment: "train",
      options: { config: RunConfig.encode(first), seeds },
      rows,
      tables,
      records: Tables.records(rows),
      pictures,
      began,
    })
  })

/** A saved run: its decoded config and its network (released with the scope). */
const openRun = (dir: string, backend: Option.Option<Backend.BackendChoice>) =>
  Effect.gen(function* () {
    const file = join(dir, "config.json")
    if (!Files.exists(dir))
      return yield* new UsageError({ argument: "RUN", message: `${dir}: does not exist` })
    if (!Files.exists(join(dir, "model", "model.json")))
      return yield* new UsageError({
        argument: "RUN",
        message: `${dir}: no saved network (${join(dir, "model", "model.json")}); give a run folder written by "vicinal train" (results/train-*/runs/<name>-seed<k>)`,
      })
    const config = yield* decodeConfig(yield* Files.readJson(file), file)
    yield* Backend.select(Option.getOrElse(backend, () => config.backend)).pipe(
      Effect.mapError((e) => new UsageError({ argument: "--backend", message: e.message })),
    )
    const loaded = yield* Datasets.load(config.data, config.seed).pipe(Effect.mapError(stepFailed("data")))
    // The inputs the network was trained on: normalised when the run's augmentation normalises.
    const data = {
      train: Augmentation.forEvaluation(config.augment, loaded.train),
      test: Augmentation.forEvaluation(config.augment, loaded.test),
    }
    const classifier = yield* Effect.acquireRelease(
      Models.load(join(dir, "model")).pipe(
        Effect.mapError(
          (e) =>
            new StepFailed({
              step: "load network",
              message: `load network: ${describe(e)}; the saved network in ${join(dir, "model")} is damaged: train the run again (into another folder with --out, or delete ${dir} first)`,
            }),
        ),
      ),
      (c) => Effect.sync(() => c.dispose()),
    )
    const normalise = config.augment === undefined ? undefined : Augmentation.steps(config.augment).normalise
    // The network as a function of pixels in [0, 1], for attacks: it normalises them itself.
    const onPixels = Robustness.asModel(classifier, normalise)
    return { config, data, pixels: loaded, onPixels, classifier }
  })

export const evaluate = (dir: string, backend: Option.Option<Backend.BackendChoice>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { config, data, classifier } = yield* openRun(dir, backend)
      const measure = (set: typeof data.test) =>
        Effect.try({ try: () => Evaluate.evaluate(classifier, set), catch: stepFailed("evaluate") })
      const test = yield* measure(data.test)
      const train = yield* measure(data.train)
      yield* Files.writeJson(join(dir, "eval.json"), { test, train })
      const row = (split: string, e: typeof test) => [
        split,
        Stats.percent(e.top1Error),
        Stats.percent(e.top5Error),
        Stats.percent(e.top1ErrorTrue),
        String(e.corrupted),
        Stats.percent(e.realError),
        Stats.percent(e.corruptedError),
      ]
      return [
        `${config.name ?? dir}: ${test.examples} test / ${train.examples} training examples`,
        "",
        Markdown.table(
          [
            "Split",
            "Top-1 error %",
            "Top-5 error %",
            "Top-1 vs true labels %",
            "Corrupted examples",
            "Error on uncorrupted (real) %",
            "Error on corrupted %",
          ],
          [row("test", test), row("train", train)],
        ),
      ].join("\n")
    }),
  )

export interface AttackFlags {
  readonly attack: Robustness.AttackName
  readonly epsilon: number
  readonly steps: number
  readonly surrogate: Option.Option<string>
  readonly seed: number
  readonly backend: Option.Option<Backend.BackendChoice>
}

export const attack = (dir: string, flags: AttackFlags) =>
  Effect.scoped(
    Effect.gen(function* () {
      if (flags.epsilon < 0 || flags.epsilon > 1)
        return yield* new UsageError({
          argument: "--epsilon",
          message: `--epsilon ${flags.epsilon}: must be in [0, 1] (inputs are pixels in [0, 1]; the paper's 4/255 is 0.0157)`,
        })
      // Attacks work on pixels in [0, 1] (epsilon on that scale); a run trained on normalised
      // inputs is attacked through a model that normalises its pixels itself.
      const { config, pixels, onPixels } = yield* openRun(dir, flags.backend)
      if (pixels.test.shape.length !== 4)
        return yield* new UsageError({
          argument: "RUN",
          message: `${dir}: trained on ${config.data.dataset} (inputs of shape [${pixels.test.shape.slice(1).join(", ")}]); attack needs a run trained on images, whose pixels lie in [0, 1]`,
        })
      const attacks = [Robustness.make(flags.attack, flags.epsilon, flags.steps)]
      const white = yield* Robustness.evaluate(onPixels, pixels.test, { attacks, seed: flags.seed })
      const black = Option.isSome(flags.surrogate)
        ? yield* Effect.flatMap(openRun(flags.surrogate.value, flags.backend), (s) =>
            Robustness.evaluate(onPixels, pixels.test, { attacks, surrogate: s.onPixels, seed: flags.seed }),
          )
        : undefined
      yield* Files.writeJson(join(dir, `attack-${flags.attack}-${flags.epsilon}.json`), {
        whiteBox: white,
        blackBox: black,
      })
      const method = config.name ?? "model"
      const asRow = (reports: ReadonlyArray<Robustness.Totals>) => ({
        method,
        reports: reports.map((r) => ({ ...r, batches: [] })),
      })
      return Table.table3({
        whiteBox: [asRow(white)],
        ...(black === undefined ? {} : { blackBox: [asRow(black)] }),
      })
    }),
  )
