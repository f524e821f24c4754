/**
 * The paper's experiments at CPU scale: `quick` (the README demo), `table2` (label
 * corruption), `table3` (adversarial examples), `ablation`, and `cifar` (the real thing, for
 * users with the data set and a GPU backend). Each trains its rows through `Experiment`,
 * then prints and writes its tables beside the paper's numbers.
 */

import { join, resolve } from "node:path"
import { Pairing, Strategy } from "@vicinal/core"
import type { DatasetType } from "@vicinal/data"
import { type Classifier, Models } from "@vicinal/models"
import type { RunConfig as Config, Datasets, EpochMetrics } from "@vicinal/train"
import { Datasets as TrainDatasets } from "@vicinal/train"
import { Effect } from "effect"
import { type CliError, stepFailed, UsageError } from "./Errors.ts"
import * as Experiment from "./Experiment.ts"
import * as Paper from "./Paper.ts"
import * as Pictures from "./Pictures.ts"
import * as Robustness from "./Robustness.ts"
import type * as Runner from "./Runner.ts"
import * as Setup from "./Setup.ts"
import * as Tables from "./Tables.ts"
import * as Verdicts from "./Verdicts.ts"

const mlp = (hidden: ReadonlyArray<number>, dropout?: number): Config.ModelConfig => ({
  kind: "mlp",
  hidden,
  ...(dropout === undefined || dropout === 0 ? {} : { dropout }),
})

const percent = (x: number) => `${Math.round(x * 100)}%`

const describeScale = (common: Setup.Common, model: string) =>
  `${common.trainSize ?? 10000 - (common.testSize ?? 2000)} MNIST training digits (${common.testSize ?? 2000} test), ${model}, ${common.epochs} epochs, batch ${common.batchSize}, SGD lr ${common.lr}, ${common.seeds.length} seed${common.seeds.length === 1 ? "" : "s"}`

const mlpScale = (options: Setup.Common & { readonly hidden: ReadonlyArray<number> }, theirs: string) =>
  Paper.scaleNote(describeScale(options, `MLP ${options.hidden.join("-")}`), theirs)

/** Where an experiment's files went: the last lines of its output. */
const whereWritten = (out: string, pictures: ReadonlyArray<Pictures.Written>): string =>
  [
    `Results written to ${out}/: tables.md, summary.json, metrics.csv, config.json`,
    `  pictures: ${pictures.map((p) => `${p.name}.svg/.png`).join(", ")}`,
    `  runs: ${join(out, "runs")}/<run>-seed<n>/ (each with its network in model/: vicinal eval / vicinal attack <run folder>)`,
  ].join("\n")

/**
 * Print-ready tables (lines joined) with the verdicts of the paper's claims, and the experiment
 * folder written; the printed text ends with where the files are.
 */
const finish = (
  options: Setup.Common,
  experiment: string,
  parts: {
    readonly rows: ReadonlyArray<Tables.Row & { readonly method: string }>
    readonly tables: ReadonlyArray<string>
    readonly records: unknown
    readonly pictures: ReadonlyArray<Pictures.Written>
    readonly began: number
    readonly verdicts?: ReadonlyArray<Verdicts.Verdict>
  },
) => {
  const verdicts = parts.verdicts ?? []
  const claims =
    verdicts.length === 0
      ? []
      : [
          "",
          "## The paper's claims at this scale",
          "",
          Verdicts.table(verdicts),
          "",
          ...verdicts.map(Verdicts.line),
        ]
  return Effect.map(
    Experiment.writeFolder(options.out, {
      experiment,
      options,
      ...parts,
      records:
        verdicts.length === 0
          ? parts.records
          : Array.isArray(parts.records)
            ? { rows: parts.records, verdicts }
            : { ...(parts.records as object), verdicts },
      tables: [...parts.tables, ...claims].join("\n"),
    }),
    (written) => ({
      ...written,
      tables: `${written.tables}\n\n${whereWritten(options.out, parts.pictures)}`,
    }),
  )
}

/** The paper's Table 2 numbers of ERM and mixup at one corruption level, e.g. "CIFAR-10, 50%: ERM 44.6, mixup 12.7 (α = 32)". */
const paperTable2 = (noise: number, pick: (row: Paper.Table2Row) => number, setting = true): string => {
  const rows = paperRow(noise, "ERM").paper === undefined ? undefined : Paper.table2[String(noise) as "0.5"]
  return rows === undefined
    ? "no such level in the paper"
    : `CIFAR-10, ${percent(noise)}: ERM ${pick(rows.ERM)}, mixup ${pick(rows.mixup)}${setting ? ` (${rows.mixup.setting})` : ""}`
}

/** The paper's claims about ERM vs mixup, as `Verdicts` checks them. */
const claims = {
  clean: {
    claim: "mixup lowers clean test error",
    paper: `CIFAR-10, PreAct ResNet-18: ERM ${Paper.cifar.erm}, mixup ${Paper.cifar.mixup}`,
    direction: "lower" as const,
  },
  noisyLast: (noise: number) => ({
    claim: `with ${percent(noise)} corrupted labels, mixup's last-epoch test error is far below ERM's`,
    paper: paperTable2(noise, (r) => r.last),
    direction: "lower" as const,
    minGap: 5,
  }),
  memorisation: (noise: number) => ({
    claim: `with ${percent(noise)} corrupted labels, ERM memorises them (its error on them below 20%) and mixup does not (above 50%)`,
    paper: paperTable2(noise, (r) => r.corrupted, false),
    direction: "higher" as const,
    bounds: { ermBelow: 0.2, mixupAbove: 0.5 },
  }),
  attack: (attack: "FGSM" | "I-FGSM", box: "white" | "black") => {
    const theirs = Paper.table3[box === "white" ? "whiteBox" : "blackBox"]
    return {
      claim: `mixup is more robust to ${attack} (${box} box, top-1 error under attack)`,
      paper: `ImageNet, ResNet-101: ERM ${theirs.ERM[attack][0]}, mixup ${theirs.mixup[attack][0]}`,
      direction: "lower" as const,
    }
  },
}

/** The rows named ERM and mixup of a list (the first of each). */
const ermMixupPair = (rows: ReadonlyArray<Tables.Row>) => {
  const erm = rows.find((r) => r.method === "ERM")?.outcomes ?? []
  const mixup = rows.find((r) => r.method === "mixup")?.outcomes ?? []
  return { erm, mixup }
}

/** Judge a claim on ERM vs mixup rows by one metric of their runs. */
const judgeRows = (
  spec: Verdicts.ClaimSpec,
  rows: ReadonlyArray<Tables.Row>,
  pick: (o: Runner.Outcome) => number | undefined,
) => {
  const { erm, mixup } = ermMixupPair(rows)
  return Verdicts.judge(spec, Verdicts.perSeed(erm, pick), Verdicts.perSeed(mixup, pick))
}

/** The attack claims (top-1) of rows that measured `key`. */
const attackVerdicts = (rows: ReadonlyArray<Tables.Row>, key: "whiteBox" | "blackBox") =>
  (["FGSM", "I-FGSM"] as const).map((attack) =>
    judgeRows(claims.attack(attack, key === "whiteBox" ? "white" : "black"), rows, (o) =>
      Tables.adversarialError(o, key, attack, 1),
    ),
  )

/** The label-noise claims of ERM vs mixup rows at one corruption level. */
const noiseVerdicts = (rows: ReadonlyArray<Tables.Row>, noise: number) => [
  judgeRows(claims.noisyLast(noise), rows, (o) => o.lastTestError),
  judgeRows(claims.memorisation(noise), rows, (o) => o.final?.corruptedTrainError),
]

/** The paper's two attacks (Table 3): FGSM and I-FGSM of `steps` iterations. */
const fgsmAndIfgsm = (epsilon: number, steps: number) => [
  Robustness.make("fgsm", epsilon, 1),
  Robustness.make("ifgsm", epsilon, steps),
]

/** A row's line name: "clean, mixup, α = 0.2" (group, method, setting). */
const rowName = (r: Tables.Row & { readonly group?: string }) =>
  [r.group, r.method, r.setting].filter((s) => s !== undefined && s !== "").join(", ")

const bandsOf = (rows: ReadonlyArray<Tables.Row & { readonly group?: string }>) =>
  rows.map((r) => ({ name: rowName(r), histories: r.outcomes.map((o) => o.history) }))

/**
 * The rows' test error per epoch (mean over seeds, min-max shaded) and, when labels were
 * corrupted, the memorisation curve: the error on the corrupted training examples against their
 * corrupted labels, which falls to 0 as a network memorises them. Files are named `<prefix>test-error`
 * and `<prefix>memorisation` (or `<prefix>training-error` on clean labels).
 */
const errorPictures = (
  rows: ReadonlyArray<Tables.Row & { readonly group?: string }>,
  out: string,
  title: string,
  prefix = "",
) =>
  Effect.gen(function* () {
    const runs = bandsOf(rows)
    const test = yield* Pictures.write(
      Pictures.seedBands(runs, {
        title: `${title}: test error`,
        yLabel: "test error %",
        metric: (m) => m.testTop1Error,
      }),
      out,
      `${prefix}test-error`,
    )
    const has = (metric: (m: EpochMetrics) => number | undefined) =>
      runs.filter((r) => r.histories.some((h) => h.some((m) => Number.isFinite(metric(m) ?? Number.NaN))))
    const noisy = has((m) => m.corruptedTrainError)
    const measured = has((m) => m.trainError)
    const train =
      noisy.length > 0
        ? [
            yield* Pictures.write(
              Pictures.seedBands(noisy, {
                title: `${title}: memorisation of the corrupted labels`,
                yLabel: "error on corrupted training examples %",
                metric: (m) => m.corruptedTrainError,
              }),
              out,
              `${prefix}memorisation`,
            ),
          ]
        : measured.length > 0
          ? [
              yield* Pictures.write(
                Pictures.seedBands(measured, {
                  title: `${title}: training error`,
                  yLabel: "training error %",
                  metric: (m) => m.trainError,
                }),
                out,
                `${prefix}training-error`,
              ),
            ]
          : []
    return [test, ...train]
  })

/** Mixed training examples with their soft labels, one lambda per pair, so the grid shows a range of them. */
const mixedGrid = (data: DatasetType, out: string, alpha: number) =>
  Pictures.write(
    Pictures.mixedExamples(data, Strategy.mixup({ alpha, granularity: "pair" }), {
      count: 16,
      seed: 0,
      title: `mixup training examples and their soft labels (λ ~ Beta(${alpha}, ${alpha}), one per pair)`,
    }),
    out,
    "mixed-examples",
  )

/** The mixed-examples grid of the MNIST training digits an experiment ran on (mixup, alpha 1). */
const mnistGrid = (options: Setup.Common, load: ReturnType<typeof Setup.dataCache>, seed: number) =>
  Effect.flatMap(load(Setup.mnist(options), seed), (data) => mixedGrid(data.train, options.out, 1))

// ---------------------------------------------------------------------------------------------
// quick

export interface QuickOptions extends Setup.Common {
  /** mixup's alpha on clean labels (0.2: alpha 1 does not beat ERM at this scale). */
  readonly alpha: number
  /** The label-noise runs: fewer examples, more epochs, so that ERM has time to memorise. */
  readonly noisyTrainSize: number
  readonly noisyEpochs: number
  readonly noisyAlpha: number
  readonly epsilon: number
  /** Attack only the first this many test digits (each I-FGSM step costs a training step's work). */
  readonly attackLimit: number
  readonly toyEpochs: number
  readonly hidden: ReadonlyArray<number>
}

const whiteBox =
  (attacks: ReadonlyArray<ReturnType<typeof Robustness.make>>, limit?: number) =>
  (data: Datasets.TrainTest, seed: number) =>
  (classifier: Classifier) =>
    Effect.map(
      Robustness.evaluate(classifier, limit === undefined ? data.test : Robustness.first(data.test, limit), {
        attacks,
        seed,
      }),
      (reports) => ({ whiteBox: reports }),
    )

/** The paper's comparison: one setup trained with ERM and with mixup(alpha). */
const ermAndMixup = <Base extends Omit<Experiment.Method, "method" | "setting" | "strategy">>(
  base: Base,
  alpha: number,
): ReadonlyArray<Base & Experiment.Method> => [
  { ...base, method: "ERM", strategy: Strategy.erm },
  { ...base, method: "mixup", setting: `α = ${alpha}`, strategy: Strategy.mixup({ alpha }) },
]

/** The decision-boundary figure: ERM vs mixup on two moons (2-D), as in the paper's toy figure. */
const toyFigure = (
  common: Setup.Common,
  toyEpochs: number,
  context: Runner.Context,
  load: ReturnType<typeof Setup.dataCache>,
) =>
  Effect.gen(function* () {
    const data: Config.DataConfig = { dataset: "twoMoons", n: 400, noise: 0.25 }
    const boundary = (d: Datasets.TrainTest) => (classifier: Classifier) =>
      Effect.try({
        try: () => ({ boundary: Pictures.gridToJson(Pictures.probabilityGrid(classifier, d.train)) }),
        catch: stepFailed("decision boundary"),
      })
    const base = {
      model: mlp([64, 64]),
      data,
      epochs: toyEpochs,
      batchSize: 32,
      group: "toy",
      after: boundary,
    }
    const rows = yield* Experiment.runMethods(
      ermAndMixup(base, 1),
      { ...common, seeds: common.seeds.slice(0, 1) },
      context,
      load,
    )
    const seed = common.seeds[0] ?? 0
    const points = (yield* load(data, seed)).train
    const panels = Pictures.panelsOf(rows)
    const picture = yield* Pictures.write(
      Pictures.boundaries(panels, points, "Two moons: decision boundary of ERM vs mixup"),
      common.out,
      "decision-boundary",
    )
    return { rows, picture }
  })

export const quick = (
  options: QuickOptions,
  context: Runner.Context,
): Effect.Effect<Experiment.Written, CliError> =>
  Effect.gen(function* () {
    const began = performance.now()
    const load = Setup.dataCache()
    const model = mlp(options.hidden)
    const attacks = fgsmAndIfgsm(options.epsilon, 10)
    const methods = (noise: number, alpha: number, after?: Experiment.Method["after"]) => {
      const base = {
        model,
        data: Setup.mnist(noise > 0 ? noisyOptions : options, noise),
        group: noise > 0 ? `${percent(noise)} noise` : "clean",
        // Training error each epoch only where it is a result (memorisation of corrupted labels).
        ...(noise > 0 ? { epochs: options.noisyEpochs } : { trainError: false }),
        ...(after === undefined ? {} : { after }),
      }
      return ermAndMixup(base, alpha)
    }
    // --limit caps the noisy runs' training set too.
    const noisyOptions = {
      ...options,
      trainSize: Math.min(options.noisyTrainSize, options.trainSize ?? options.noisyTrainSize),
      epochs: options.noisyEpochs,
    }
    const toy = yield* toyFigure(options, options.toyEpochs, context, load)
    const clean = yield* Experiment.runMethods(
      methods(0, options.alpha, whiteBox(attacks, options.attackLimit)),
      options,
      context,
      load,
    )
    const noisy = yield* Experiment.runMethods(methods(0.5, options.noisyAlpha), options, context, load)
    const seed = options.seeds[0] ?? 0
    const pictures = [
      ...(yield* errorPictures(clean, options.out, "MNIST, clean labels", "clean-")),
      ...(yield* errorPictures(noisy, options.out, "MNIST, 50% corrupted labels", "noisy-")),
      yield* mnistGrid(options, load, seed),
      toy.picture,
    ]
    const table2Paper = Paper.table2["0.5"]
    const steps = (examples: number, epochs: number) => Math.floor(examples / options.batchSize) * epochs
    const cleanSize = options.trainSize ?? 8000 - (options.testSize ?? 2000)
    const verdicts = [
      judgeRows(claims.clean, clean, (o) => o.lastTestError),
      ...noiseVerdicts(noisy, 0.5),
      ...attackVerdicts(clean, "whiteBox"),
    ]
    return yield* finish(options, "quick", {
      verdicts,
      rows: [...toy.rows, ...clean, ...noisy],
      tables: [
        "## Clean labels (test error)",
        "",
        Tables.testError(
          clean.map((r) => ({ ...r, paper: r.method === "ERM" ? Paper.cifar.erm : Paper.cifar.mixup })),
        ),
        "",
        "## 50% corrupted labels (Table 2 layout)",
        "",
        Tables.labelCorruption(
          noisy.map((r) => ({ ...r, noise: 0.5, paper: table2Paper[r.method === "ERM" ? "ERM" : "mixup"] })),
        ),
        "",
        "Train err. real: training error on the examples whose labels were not corrupted; corrupted: on the corrupted examples against their corrupted labels (the labels trained with; memorisation: ERM drives both towards 0). The paper's mixup row used α = 32.",
        "",
        `## Adversarial examples, white box, epsilon ${options.epsilon}, first ${Math.min(options.attackLimit, options.testSize ?? 2000)} test digits (Table 3 layout; paper: ImageNet, epsilon 4/255)`,
        "",
        Tables.adversarial(clean, "whiteBox", Paper.table3.whiteBox),
        "",
        mlpScale(
          options,
          "CIFAR-10 with PreAct ResNet-18 for 200 epochs (test error, Table 2) and ImageNet with ResNet-101 (Table 3)",
        ),
        `Settings: clean labels: mixup α = ${options.alpha}, ${cleanSize} digits × ${options.epochs} epochs = ${steps(cleanSize, options.epochs)} steps; 50% corrupted labels: mixup α = ${options.noisyAlpha}, ${noisyOptions.trainSize} digits × ${noisyOptions.epochs} epochs = ${steps(noisyOptions.trainSize, noisyOptions.epochs)} steps; learning rate ${options.lr} with cosine decay to 0; FGSM and I-FGSM (10 steps) at epsilon ${options.epsilon} on [0, 1] pixels, on the first ${Math.min(options.attackLimit, options.testSize ?? 2000)} test digits. Budget: ${options.seeds.length} seed${options.seeds.length === 1 ? "" : "s"} × 4 runs + the two-moons figure: ${((performance.now() - began) / 1000).toFixed(0)} s of wall time.`,
      ],
      records: {
        clean: Tables.records(clean),
        labelNoise50: Tables.records(noisy.map((r) => ({ ...r, noise: 0.5 }))),
        toy: Tables.records(toy.rows),
      },
      pictures,
      began,
    })
  })

// ---------------------------------------------------------------------------------------------
// table2

export interface Table2Options extends Setup.Common {
  readonly noise: ReadonlyArray<number>
  readonly hidden: ReadonlyArray<number>
}

const paperRow = (noise: number, method: Paper.Table2Method): { readonly paper?: Paper.Table2Row } => {
  const row = (Paper.table2 as Partial<Record<string, Record<Paper.Table2Method, Paper.Table2Row>>>)[
    String(noise)
  ]?.[method]
  return row === undefined ? {} : { paper: row }
}

export const table2 = (
  options: Table2Options,
  context: Runner.Context,
): Effect.Effect<Experiment.Written, CliError> =>
  Effect.gen(function* () {
    const began = performance.now()
    const load = Setup.dataCache()
    const methods = options.noise.flatMap((noise) => {
      const settings = Paper.table2Settings(noise)
      return (["ERM", "ERM + dropout", "mixup", "mixup + dropout"] as const).map((method) => {
        const s = settings[method]
        const setting = [
          s.alpha === undefined ? "" : `α = ${s.alpha}`,
          s.dropout === undefined ? "" : `p = ${s.dropout}`,
        ]
          .filter((x) => x !== "")
          .join(", ")
        return {
          method,
          setting,
          noise,
          group: `${percent(noise)} noise`,
          strategy: s.alpha === undefined ? Strategy.erm : Strategy.mixup({ alpha: s.alpha }),
          model: mlp(options.hidden, s.dropout),
          data: Setup.mnist(options, noise),
          ...paperRow(noise, method),
        }
      })
    })
    const rows = yield* Experiment.runMethods(methods, options, context, load)
    const pictures = [
      ...(yield* errorPictures(
        rows.filter((r) => r.noise === options.noise[options.noise.length - 1]),
        options.out,
        `MNIST, ${percent(options.noise[options.noise.length - 1] ?? 0)} corrupted labels`,
      )),
      yield* mnistGrid(options, load, options.seeds[0] ?? 0),
    ]
    return yield* finish(options, "table2", {
      verdicts: options.noise.flatMap((noise) =>
        noiseVerdicts(
          rows.filter((r) => r.noise === noise),
          noise,
        ),
      ),
      rows,
      tables: [
        "## Table 2: label corruption",
        "",
        Tables.labelCorruption(rows),
        "",
        "Best: lowest test error over the epochs; Last: at the end. Train err. real: on the examples whose labels were not corrupted; corrupted: on the corrupted examples against their corrupted labels, the labels trained with (ERM memorises: near 0; mixup does not).",
        "",
        mlpScale(options, "CIFAR-10 with PreAct ResNet-18 for 200 epochs"),
      ],
      records: Tables.records(rows),
      pictures,
      began,
    })
  })

// ---------------------------------------------------------------------------------------------
// table3

export interface Table3Options extends Setup.Common {
  readonly epsilon: number
  readonly steps: number
  readonly hidden: ReadonlyArray<number>
}

export const table3 = (
  options: Table3Options,
  context: Runner.Context,
): Effect.Effect<Experiment.Written, CliError> =>
  Effect.gen(function* () {
    const began = performance.now()
    const load = Setup.dataCache()
    const model = mlp(options.hidden)
    const attacks = fgsmAndIfgsm(options.epsilon, options.steps)
    // The surrogate of the black-box attacks: another ERM network (its own initialisation and
    // data order) on the same training split, saved so the targets can load it.
    const surrogateSeed = (seed: number) => seed + 1000
    const surrogates = yield* Experiment.runMethods(
      [
        {
          method: "ERM surrogate",
          strategy: Strategy.erm,
          model,
          data: Setup.mnist(options),
          // The split of the target it attacks (seed - 1000), so no test digit was trained on.
          dataOf: (seed: number) => ({ ...Setup.mnist(options), splitSeed: seed - 1000 }),
          saveModel: true,
        },
      ],
      { ...options, seeds: options.seeds.map(surrogateSeed) },
      context,
      load,
    )
    const surrogateDir = (seed: number) =>
      join(
        Setup.runDir(options.out, Experiment.folderName({ method: "ERM surrogate" }), surrogateSeed(seed)),
        "model",
      )
    const both = (data: Datasets.TrainTest, seed: number) => (classifier: Classifier) =>
      Effect.gen(function* () {
        const white = yield* Robustness.evaluate(classifier, data.test, { attacks, seed })
        const surrogate = yield* Models.load(surrogateDir(seed)).pipe(
          Effect.mapError(stepFailed("load surrogate")),
        )
        const black = yield* Robustness.evaluate(classifier, data.test, { attacks, surrogate, seed }).pipe(
          Effect.ensuring(Effect.sync(() => surrogate.dispose())),
        )
        return { whiteBox: white, blackBox: black }
      })
    const base = { model, data: Setup.mnist(options), after: both }
    const rows = yield* Experiment.runMethods(ermAndMixup(base, 1), options, context, load)
    const pictures = [
      ...(yield* errorPictures(rows, options.out, "MNIST")),
      yield* mnistGrid(options, load, options.seeds[0] ?? 0),
    ]
    return yield* finish(options, "table3", {
      verdicts: [...attackVerdicts(rows, "whiteBox"), ...attackVerdicts(rows, "blackBox")],
      rows: [...surrogates, ...rows],
      tables: [
        `## Table 3: adversarial examples (epsilon ${options.epsilon} on [0, 1] pixels; I-FGSM ${options.steps} steps)`,
        "",
        "(a) White box attacks.",
        "",
        Tables.adversarial(rows, "whiteBox", Paper.table3.whiteBox),
        "",
        "(b) Black box attacks (crafted on a separately trained ERM network).",
        "",
        Tables.adversarial(rows, "blackBox", Paper.table3.blackBox),
        "",
        "Cells: our error % (the paper's). Errors are against the true labels; the Clean column is the error before any attack.",
        "",
        mlpScale(options, "ImageNet with ResNet-101, epsilon 4/255"),
      ],
      records: {
        whiteBox: rows.map((r) => ({
          method: r.method,
          reports: r.outcomes.map((o) => Tables.reportsOf(o, "whiteBox")),
        })),
        blackBox: rows.map((r) => ({
          method: r.method,
          reports: r.outcomes.map((o) => Tables.reportsOf(o, "blackBox")),
        })),
      },
      pictures,
      began,
    })
  })

// ---------------------------------------------------------------------------------------------
// ablation

export interface AblationOptions extends Setup.Common {
  readonly hidden: ReadonlyArray<number>
  readonly k: number
}

/** The paper's ablation rows (CIFAR-10 there, MNIST here), in its order. */
export const ablationMethods = (
  options: AblationOptions,
): ReadonlyArray<Omit<Experiment.Method, "model" | "data">> => {
  const rp = Pairing.randomPermutation
  const knn = (sameClass: boolean) => Pairing.knn({ k: options.k, sameClass })
  const sc = Pairing.sameClass
  const inputsOnly = (pairing: Pairing.Pairing) => Strategy.mixImages({ alpha: 1, pairing })
  const stages = options.hidden.map((_, i) => i + 1)
  return [
    { method: "ERM", strategy: Strategy.erm },
    { method: "mixup AC + RP", setting: "α = 1", strategy: Strategy.mixup({ alpha: 1, pairing: rp }) },
    { method: "mixup SC + RP", setting: "α = 1", strategy: Strategy.mixup({ alpha: 1, pairing: sc }) },
    {
      method: "mixup AC + KNN",
      setting: `α = 1, k = ${options.k}`,
      strategy: Strategy.mixup({ alpha: 1, pairing: knn(false) }),
    },
    { method: "mix input SC + KNN", setting: `k = ${options.k}`, strategy: inputsOnly(knn(true)) },
    { method: "mix input AC + KNN", setting: `k = ${options.k}`, strategy: inputsOnly(knn(false)) },
    { method: "mix input SC + RP", strategy: inputsOnly(sc) },
    { method: "mix input AC + RP", strategy: inputsOnly(rp) },
    ...[0.05, 0.1, 0.2].map((epsilon) => ({
      method: "label smoothing",
      setting: `ε = ${epsilon}`,
      strategy: Strategy.labelSmoothing({ epsilon }),
    })),
    ...[0.05, 0.1, 0.2].map((epsilon) => ({
      method: "mix input + label smoothing",
      setting: `ε = ${epsilon}`,
      strategy: Strategy.chain(inputsOnly(rp), Strategy.labelSmoothing({ epsilon })),
    })),
    ...[0.05, 0.1, 0.2].map((sigma) => ({
      method: "Gaussian noise",
      setting: `σ = ${sigma}`,
      strategy: Strategy.gaussianNoise({ sigma }),
    })),
    {
      method: "mixup hidden layers",
      setting: `stages ${stages.join(", ")}, α = 1`,
      strategy: Strategy.manifold({ stages, alpha: 1 }),
    },
  ]
}

export const ablation = (
  options: AblationOptions,
  context: Runner.Context,
): Effect.Effect<Experiment.Written, CliError> =>
  Effect.gen(function* () {
    const began = performance.now()
    const load = Setup.dataCache()
    const model = mlp(options.hidden)
    const rows = yield* Experiment.runMethods(
      ablationMethods(options).map((m) => ({ ...m, model, data: Setup.mnist(options) })),
      options,
      context,
      load,
    )
    const pictures = [
      ...(yield* errorPictures(
        rows.filter((r) =>
          ["ERM", "mixup AC + RP", "mix input AC + RP", "mixup hidden layers"].includes(r.method),
        ),
        options.out,
        "MNIST ablation",
      )),
      yield* mnistGrid(options, load, options.seeds[0] ?? 0),
    ]
    const mixupRow = rows.find((r) => r.method === "mixup AC + RP")
    const others = rows.filter((r) => r !== mixupRow)
    const mixup = Verdicts.perSeed(mixupRow?.outcomes ?? [], (o) => o.lastTestError)
    // Per seed, the lowest error of any other row: mixup is best when it beats that.
    const bestOther = mixup.map(({ seed }) => ({
      seed,
      value: Math.min(
        ...others.flatMap((r) => r.outcomes.filter((o) => o.seed === seed).map((o) => o.lastTestError)),
      ),
    }))
    const erm = Verdicts.perSeed(rows.find((r) => r.method === "ERM")?.outcomes ?? [], (o) => o.lastTestError)
    return yield* finish(options, "ablation", {
      verdicts: [
        Verdicts.judge(
          {
            claim: "mixup (AC + RP) lowers test error",
            paper: `CIFAR-10: ERM ${Paper.ablation.ERM}, mixup ${Paper.ablation["mixup AC + RP"]}`,
            direction: "lower",
          },
          erm,
          mixup,
        ),
        Verdicts.judge(
          {
            claim: "mixup (AC + RP) has the lowest test error of all the ablation's rows",
            paper: "CIFAR-10: mixup best, mix input + label smoothing second",
            direction: "lower",
            against: "the best other row",
          },
          bestOther,
          mixup,
        ),
      ],
      rows,
      tables: [
        "## Ablation",
        "",
        Tables.ablation(rows, Paper.ablation),
        "",
        "AC: partner of any class; SC: of the same class; RP: random pairing; KNN: among the k nearest neighbours in the batch (input space). Mix input: inputs mixed, the first label kept.",
        "",
        mlpScale(
          options,
          "CIFAR-10 with PreAct ResNet-18 (weight decay 1e-4), KNN with k = 200 over the data set",
        ),
      ],
      records: Tables.records(rows),
      pictures,
      began,
    })
  })

// ---------------------------------------------------------------------------------------------
// cifar

export interface CifarOptions extends Setup.Common {
  readonly data: string
  readonly dataset: "cifar10" | "cifar100"
  readonly model: "preActResNet" | "wideResNet" | "denseNetBC"
  readonly width: number | undefined
  readonly alpha: number
  readonly milestones: ReadonlyArray<number>
  /** The paper's crop + flip + normalisation (`--augment paper`, default) or none. */
  readonly augment: boolean
}

type CifarData = Extract<Config.DataConfig, { readonly dir: string }>

/** The run config's data entry of a CIFAR folder (absolute, so that `eval` works from anywhere). */
export const cifarData = (
  options: Pick<CifarOptions, "data" | "dataset" | "trainSize" | "testSize">,
): CifarData => ({
  dataset: options.dataset,
  dir: resolve(options.data),
  ...(options.trainSize === undefined ? {} : { trainSize: options.trainSize }),
  ...(options.testSize === undefined ? {} : { testSize: options.testSize }),
})

/** CIFAR train and test splits as the runs load them; a bad folder is a usage error naming `--data`. */
export const loadCifar = (data: CifarData): Effect.Effect<Datasets.TrainTest, CliError> =>
  TrainDatasets.load(data, 0).pipe(
    Effect.mapError(
      (e) =>
        new UsageError({
          argument: "--data",
          message: `--data ${data.dir}: not a ${data.dataset === "cifar10" ? "CIFAR-10 binary folder (data_batch_1..5.bin, test_batch.bin)" : "CIFAR-100 binary folder (train.bin, test.bin)"}: ${e.message.replace(/^data: /, "")}`,
        }),
    ),
  )

export const cifar = (
  options: CifarOptions,
  context: Runner.Context,
): Effect.Effect<Experiment.Written, CliError> =>
  Effect.gen(function* () {
    const began = performance.now()
    const dataConfig = cifarData(options)
    // Loaded once here (a bad folder fails before any run); every run's config names the folder.
    const data = yield* loadCifar(dataConfig)
    if ((data.train.shape[0] ?? 0) < options.batchSize)
      return yield* new UsageError({
        argument: "--batch-size",
        message: `--batch-size ${options.batchSize}: larger than the ${data.train.shape[0]} training images found in ${options.data}`,
      })
    const model: Config.ModelConfig =
      options.width === undefined
        ? { kind: options.model }
        : options.model === "preActResNet"
          ? { kind: "preActResNet", width: options.width }
          : { kind: options.model }
    const base = {
      model,
      data: dataConfig,
      dataOverride: data,
      // Saved, so that `vicinal eval` / `attack` can reopen a CIFAR run (its config names the folder).
      saveModel: true,
      ...(options.augment ? { augment: "cifar" as const } : {}),
      group: options.dataset,
      schedule: { _tag: "step" as const, milestones: options.milestones, gamma: 0.1 },
    }
    const rows = yield* Experiment.runMethods(
      [
        { ...base, method: "ERM", strategy: Strategy.erm },
        {
          ...base,
          method: "mixup",
          setting: `α = ${options.alpha}`,
          strategy: Strategy.mixup({ alpha: options.alpha }),
        },
      ],
      options,
      context,
      Setup.dataCache(),
    )
    const [paperErm, paperMixup] = Paper.cifarTable[options.dataset][options.model]
    const pictures = [
      ...(yield* errorPictures(rows, options.out, options.dataset)),
      yield* mixedGrid(data.train, options.out, options.alpha),
    ]
    return yield* finish(options, options.dataset, {
      rows,
      tables: [
        `## ${options.dataset === "cifar10" ? "CIFAR-10" : "CIFAR-100"}, ${options.model}`,
        "",
        Tables.testError(rows.map((r) => ({ ...r, paper: r.method === "ERM" ? paperErm : paperMixup }))),
        "",
        `Data: ${options.data} (${data.train.shape[0]} train / ${data.test.shape[0]} test), ${options.epochs} epochs, lr ${options.lr} / 10 at epochs ${options.milestones.join(", ")}. ${options.augment ? "Augmentation as in the paper: random crop (4-pixel zero padding), horizontal flip, per-channel normalisation (also applied to the test set)." : "No augmentation (--augment none); the paper's runs used random crop + flip + normalisation."}`,
      ],
      records: Tables.records(rows),
      pictures,
      began,
    })
  })
