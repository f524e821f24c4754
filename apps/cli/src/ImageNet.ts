/**
 * The paper's Table 1: ImageNet-2012 with ResNet-50, ResNet-101, ResNeXt-101 32x4d and 64x4d,
 * ERM vs mixup (α = 0.2 for the ResNets, 0.4 for the ResNeXts), 90 or 200 epochs, top-1 and
 * top-5 validation error. The protocol is Goyal et al.'s as the paper used it: SGD with momentum
 * 0.9 and weight decay 1e-4 (on every weight, as PyTorch's SGD), learning rate 0.1 x batch / 256,
 * divided by 10 at epochs 30, 60 and 80 (90 epochs) or 60, 120 and 180 (200 epochs); training
 * images get the random resized crop 224 + flip, validation images resize 256 + centre crop 224.
 *
 * Images stream from the folder (`@vicinal/data`'s ImageNet), so memory stays bounded; each batch
 * trains through `Fit.step` (the public custom-loop step of `@vicinal/train`). A full run needs a
 * native backend: on wasm or cpu the command refuses and says how to install one. `--smoke` runs
 * the same pipeline end to end on a tiny folder with a small network and small images.
 */
import { join } from "node:path"
import * as tf from "@tensorflow/tfjs-core"
import { Strategy } from "@vicinal/core"
import { Dataset, ImageNet } from "@vicinal/data"
import { Metrics } from "@vicinal/losses"
import { type Classifier, Models } from "@vicinal/models"
import { Backend, Fit, LearningRate } from "@vicinal/train"
import { Effect, Stream } from "effect"
import { type CliError, describe, StepFailed, Stopped, UsageError } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Markdown from "./Markdown.ts"

export const networks = {
  resNet50: { label: "ResNet-50", build: Models.resNet50, alpha: 0.2 },
  resNet101: { label: "ResNet-101", build: Models.resNet101, alpha: 0.2 },
  resNeXt101_32x4d: { label: "ResNeXt-101 32x4d", build: Models.resNeXt101_32x4d, alpha: 0.4 },
  resNeXt101_64x4d: { label: "ResNeXt-101 64x4d", build: Models.resNeXt101_64x4d, alpha: 0.4 },
} as const
export type Network = keyof typeof networks
export const networkNames = Object.keys(networks) as ReadonlyArray<Network>

interface PaperRow {
  readonly network: Network
  readonly method: "ERM" | "mixup"
  readonly epochs: number
  readonly top1: number
  readonly top5?: number
  /** Whose number the paper quotes, when not its own run. */
  readonly source?: string
}

/** Table 1 of the paper (validation errors, %), as the slides give it. */
export const table1: ReadonlyArray<PaperRow> = [
  { network: "resNet50", method: "ERM", epochs: 90, top1: 23.5, source: "Goyal et al., 2017" },
  { network: "resNet50", method: "mixup", epochs: 90, top1: 23.3, top5: 6.6 },
  { network: "resNet101", method: "ERM", epochs: 90, top1: 22.1, source: "Goyal et al., 2017" },
  { network: "resNet101", method: "mixup", epochs: 90, top1: 21.5, top5: 5.6 },
  { network: "resNeXt101_32x4d", method: "ERM", epochs: 100, top1: 21.2, source: "Xie et al., 2016" },
  { network: "resNeXt101_32x4d", method: "ERM", epochs: 90, top1: 21.2, top5: 5.6 },
  { network: "resNeXt101_32x4d", method: "mixup", epochs: 90, top1: 20.7, top5: 5.3 },
  {
    network: "resNeXt101_64x4d",
    method: "ERM",
    epochs: 100,
    top1: 20.4,
    top5: 5.3,
    source: "Xie et al., 2016",
  },
  { network: "resNeXt101_64x4d", method: "mixup", epochs: 90, top1: 19.8, top5: 4.9 },
  { network: "resNet50", method: "ERM", epochs: 200, top1: 23.6, top5: 7.0 },
  { network: "resNet50", method: "mixup", epochs: 200, top1: 22.1, top5: 6.1 },
  { network: "resNet101", method: "ERM", epochs: 200, top1: 22.0, top5: 6.1 },
  { network: "resNet101", method: "mixup", epochs: 200, top1: 20.8, top5: 5.4 },
  { network: "resNeXt101_32x4d", method: "ERM", epochs: 200, top1: 21.3, top5: 5.9 },
  { network: "resNeXt101_32x4d", method: "mixup", epochs: 200, top1: 20.1, top5: 5.0 },
]

export interface Protocol {
  readonly lr: number
  readonly momentum: number
  readonly weightDecay: number
  readonly milestones: ReadonlyArray<number>
}

/**
 * The paper's optimisation for `epochs` and `batchSize`: the step schedule of 90 or 200 epochs;
 * other lengths scale the 90-epoch milestones (30, 60, 80) to their length.
 */
export const protocol = (epochs: number, batchSize: number): Protocol => ({
  lr: (0.1 * batchSize) / 256,
  momentum: 0.9,
  weightDecay: 1e-4,
  milestones:
    epochs === 200
      ? [60, 120, 180]
      : [...new Set([30, 60, 80].map((m) => Math.round((m * epochs) / 90)))].filter(
          (m) => m > 0 && m < epochs,
        ),
})

interface Named {
  readonly name: string
  readonly tensor: tf.Tensor
}

/** tfjs's momentum SGD (PyTorch's update) with PyTorch's weight decay added to each gradient. */
export class DecayedMomentum extends tf.MomentumOptimizer {
  constructor(
    lr: number,
    momentum: number,
    private readonly weightDecay: number,
  ) {
    super(lr, momentum)
  }
  override applyGradients(gradients: tf.NamedTensorMap | Array<Named>): void {
    const named: ReadonlyArray<Named> = Array.isArray(gradients)
      ? gradients
      : Object.entries(gradients).map(([name, tensor]) => ({ name, tensor }))
    const variables = tf.engine().registeredVariables
    const decayed = tf.tidy(() =>
      named.map(({ name, tensor }) => {
        const weight = variables[name]
        return {
          name,
          tensor: weight === undefined ? tf.clone(tensor) : tf.add(tensor, tf.mul(weight, this.weightDecay)),
        }
      }),
    )
    try {
      super.applyGradients(decayed)
    } finally {
      tf.dispose(decayed.map((d) => d.tensor))
    }
  }
  // tfjs's MomentumOptimizer.dispose frees its momentum and slots but not SGD's rate scalar.
  override dispose(): void {
    super.dispose()
    this.c.dispose()
  }
}

export interface ImageNetOptions {
  readonly dir: string
  readonly out: string
  readonly networks: ReadonlyArray<Network>
  readonly epochs: number
  readonly batchSize: number
  readonly seed: number
  readonly backend: Backend.BackendChoice
  /** mixup's α for every network (default: the paper's per network) */
  readonly alpha: number | undefined
  readonly labels: string | undefined
  readonly devkitClasses: string | undefined
  /** A tiny end-to-end run: small network, `size`-pixel images, whatever the backend. */
  readonly smoke: boolean
  /** Image side (224 in the paper; the smoke run's default is 32). */
  readonly size: number
  /** Training steps per epoch at most (all when undefined). */
  readonly stepsPerEpoch: number | undefined
  readonly log: (line: string) => void
  readonly signal: AbortSignal | undefined
}

/** The settings of a run, without its progress hooks. */
export type Settings = Omit<ImageNetOptions, "log" | "signal">

export interface RowResult {
  readonly model: string
  readonly method: string
  readonly epochs: number
  readonly top1Error: number
  readonly top5Error: number
  readonly seconds: number
}

const nativeBackends: ReadonlyArray<Backend.BackendName> = ["tfjs-node-gpu", "tfjs-node"]

/** Why a full run will not start on this backend (undefined when it may). */
export const refusal = (report: Backend.BackendReport): string | undefined =>
  nativeBackends.includes(report.name)
    ? undefined
    : [
        `refusing to start a full ImageNet run on the ${report.name} backend: the paper's runs are 90 or 200 epochs of 1.28 million 224 x 224 images through ResNet-50 or larger (about 4 GFLOPs per image forward, three times that to train), and ${report.name} computes on this machine's CPU${report.name === "wasm" ? ` with ${report.threads} thread${report.threads === 1 ? "" : "s"}` : ""}.`,
        Backend.summary(report),
        "A native backend is needed: on a machine with an NVIDIA GPU (CUDA and cuDNN as tfjs-node-gpu's README lists), run",
        "  npm install @tensorflow/tfjs-node-gpu",
        "(or `npm install @tensorflow/tfjs-node` for TensorFlow's native CPU build), then rerun this command (--backend auto picks it up).",
        "To check the pipeline here, add --smoke and point --dir at a tiny folder of the same layout.",
      ].join("\n")

const wrap = (step: string) => (cause: unknown) =>
  new StepFailed({ step, message: `${step}: ${describe(cause)}` })

/** Top-1 and top-5 error of `classifier` on the validation folder (resize + centre crop). */
const evaluate = (
  classifier: Classifier,
  val: ImageNet.ImageFolder,
  options: ImageNetOptions,
): Effect.Effect<{ readonly top1: number; readonly top5: number }, CliError> =>
  ImageNet.stream(val, { batchSize: options.batchSize, transform: "eval", size: options.size }).pipe(
    Stream.runFold(
      () => ({ seen: 0, top1: 0, top5: 0 }),
      (acc, host) => {
        const logits = tf.tidy(
          () => classifier.forward(tf.tensor(host.x, [...host.shape]), { training: false }) as tf.Tensor2D,
        )
        try {
          const ranks = Metrics.ranks(logits, host.labels)
          return {
            seen: acc.seen + ranks.length,
            top1: acc.top1 + ranks.filter((r) => r < 1).length,
            top5: acc.top5 + ranks.filter((r) => r < 5).length,
          }
        } finally {
          logits.dispose()
        }
      },
    ),
    Effect.map((acc) => ({ top1: 1 - acc.top1 / acc.seen, top5: 1 - acc.top5 / acc.seen })),
    Effect.mapError(wrap("imagenet evaluation")),
  )

interface Plan {
  readonly network: Network
  readonly method: "ERM" | "mixup"
  readonly alpha: number
}

const label = (plan: Plan, options: ImageNetOptions): string =>
  `${options.smoke ? `small CNN (smoke, in place of ${networks[plan.network].label})` : networks[plan.network].label}`

const methodName = (plan: Plan): string => (plan.method === "ERM" ? "ERM" : `mixup α = ${plan.alpha}`)

const build = (plan: Plan, options: ImageNetOptions, classes: number): Classifier => {
  const shape = { inputShape: [options.size, options.size, 3], numClasses: classes, seed: options.seed }
  return options.smoke
    ? Models.smallCnn({ ...shape, filters: [8, 16], dense: 32 })
    : networks[plan.network].build(shape)
}

/** Trains one row (a network and a method) and evaluates it on the validation set. */
const trainRow = (
  plan: Plan,
  splits: ImageNet.Splits,
  options: ImageNetOptions,
): Effect.Effect<RowResult, CliError> =>
  Effect.gen(function* () {
    const began = performance.now()
    const classes = splits.train.classes.length
    const settings = protocol(options.epochs, options.batchSize)
    const schedule = LearningRate.step({ lr: settings.lr, milestones: settings.milestones })
    const classifier = yield* Effect.try({
      try: () => build(plan, options, classes),
      catch: wrap("imagenet model"),
    })
    const optimizer = new DecayedMomentum(settings.lr, settings.momentum, settings.weightDecay)
    const setup: Fit.StepSetup = {
      model: classifier,
      optimizer,
      strategy: plan.method === "ERM" ? Strategy.erm : Strategy.mixup({ alpha: plan.alpha }),
      seed: Fit.seeds(options.seed).strategy,
    }
    const full = ImageNet.numBatches(splits.train, { batchSize: options.batchSize, dropLast: true })
    const stepsPerEpoch = Math.min(full, options.stepsPerEpoch ?? full)
    const name = `${label(plan, options)}, ${methodName(plan)}`
    const train = Effect.gen(function* () {
      for (let epoch = 0; epoch < options.epochs; epoch++) {
        const lr = schedule({ epoch, step: 0, stepsPerEpoch })
        optimizer.setLearningRate(lr)
        let loss = 0
        let step = 0
        yield* ImageNet.stream(splits.train, {
          batchSize: options.batchSize,
          transform: "train",
          size: options.size,
          seed: options.seed,
          epoch,
          dropLast: true,
        }).pipe(
          Stream.take(stepsPerEpoch),
          Stream.mapError(wrap("imagenet data")),
          Stream.runForEach((host) =>
            Effect.suspend((): Effect.Effect<void, CliError> => {
              if (options.signal?.aborted === true)
                return Effect.fail(
                  new Stopped({ dir: options.out, message: `stopped during ${name}, epoch ${epoch + 1}` }),
                )
              return Effect.try({
                try: () => {
                  loss += Fit.step(
                    setup,
                    { x: host.x, shape: host.shape, y: Dataset.oneHot(host.labels, classes) },
                    { epoch, step },
                  )
                  step += 1
                },
                catch: wrap("imagenet training"),
              })
            }),
          ),
        )
        options.log(
          `${name}: epoch ${epoch + 1}/${options.epochs}, lr ${lr.toPrecision(3)}, loss ${(loss / Math.max(1, step)).toFixed(4)}`,
        )
      }
      const errors = yield* evaluate(classifier, splits.val, options)
      yield* Effect.mapError(
        Models.save(classifier, join(options.out, "models", `${plan.network}-${plan.method}`)),
        wrap("imagenet save"),
      )
      return errors
    })
    const errors = yield* train.pipe(
      Effect.ensuring(
        Effect.sync(() => {
          optimizer.dispose()
          classifier.dispose()
        }),
      ),
    )
    return {
      model: label(plan, options),
      method: methodName(plan),
      epochs: options.epochs,
      top1Error: errors.top1,
      top5Error: errors.top5,
      seconds: (performance.now() - began) / 1000,
    }
  })

const percent = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? "—" : (x * 100).toFixed(1)

/** Table 1's layout: model, method, epochs, top-1 and top-5 error, and the paper's beside. */
export const table = (
  rows: ReadonlyArray<RowResult & { readonly network: Network; readonly kind: "ERM" | "mixup" }>,
): string => {
  const paper = (r: (typeof rows)[number]) =>
    table1.find(
      (p) =>
        p.network === r.network && p.method === r.kind && p.epochs === r.epochs && p.source === undefined,
    )
  return Markdown.table(
    ["Model", "Method", "Epochs", "Top-1 error %", "Top-5 error %", "Paper top-1 %", "Paper top-5 %"],
    rows.map((r) => [
      r.model,
      r.method,
      String(r.epochs),
      percent(r.top1Error),
      percent(r.top5Error),
      paper(r)?.top1.toFixed(1) ?? "—",
      paper(r)?.top5?.toFixed(1) ?? "—",
    ]),
  )
}

/** The rows to run: each network, ERM then mixup at the paper's α (or `alpha`). */
export const plans = (chosen: ReadonlyArray<Network>, alpha: number | undefined): ReadonlyArray<Plan> =>
  chosen.flatMap((network) => [
    { network, method: "ERM" as const, alpha: 0 },
    { network, method: "mixup" as const, alpha: alpha ?? networks[network].alpha },
  ])

/** What the runs of `reproduce imagenet` give: the backend they ran on and one row per plan. */
export interface Results {
  readonly backend: Backend.BackendName
  readonly trainImages: number
  readonly classes: number
  readonly rows: ReadonlyArray<RowResult & { readonly network: Network; readonly kind: "ERM" | "mixup" }>
}

/** The runs: refuse a full run without a native backend, read the folder, train each plan. */
export const runs = (options: ImageNetOptions): Effect.Effect<Results, CliError> =>
  Effect.gen(function* () {
    const report = yield* Backend.select(options.backend).pipe(Effect.mapError(wrap("backend")))
    const refused = options.smoke ? undefined : refusal(report)
    if (refused !== undefined)
      return yield* Effect.fail(new UsageError({ argument: "--backend", message: refused }))
    options.log(Backend.summary(report))
    const splits = yield* ImageNet.load(options.dir, {
      ...(options.labels === undefined ? {} : { labels: options.labels }),
      ...(options.devkitClasses === undefined ? {} : { devkitClasses: options.devkitClasses }),
    }).pipe(
      Effect.mapError(
        (e) => new UsageError({ argument: "--dir", message: `--dir ${options.dir}: ${e.message}` }),
      ),
    )
    options.log(
      `${splits.train.files.length} training images in ${splits.train.classes.length} classes, ${splits.val.files.length} validation images`,
    )
    const rows = []
    for (const plan of plans(options.networks, options.alpha)) {
      const row = yield* trainRow(plan, splits, options)
      rows.push({ ...row, network: plan.network, kind: plan.method })
    }
    return {
      backend: report.name,
      trainImages: splits.train.files.length,
      classes: splits.train.classes.length,
      rows,
    }
  })

/** Table 1's lines (the table, then the protocol and what a smoke run means). */
export const tables = (results: Results, options: Settings): ReadonlyArray<string> => {
  const settings = protocol(options.epochs, options.batchSize)
  return [
    "## Table 1: ImageNet-2012 validation error, ERM vs mixup",
    "",
    table(results.rows),
    "",
    `SGD momentum ${settings.momentum}, weight decay ${settings.weightDecay}, batch ${options.batchSize}, lr ${settings.lr} (0.1 x batch / 256) divided by 10 at epochs ${settings.milestones.join(", ") || "(none)"}; ${options.size}-pixel crops; seed ${options.seed}; backend ${results.backend}.`,
    ...(options.smoke
      ? [
          `Smoke run: a small CNN in place of the paper's networks, ${options.size}-pixel images, ${options.epochs} epoch(s)${options.stepsPerEpoch === undefined ? "" : ` of at most ${options.stepsPerEpoch} steps`} on ${results.trainImages} images: it checks the pipeline end to end; its errors say nothing about the paper's.`,
        ]
      : []),
    ...(results.classes <= 5 ? ["With 5 classes or fewer, top-5 error is 0 by construction."] : []),
  ]
}

/** `summary.json`'s content. */
export const summary = (results: Results, options: Settings) => ({
  experiment: "imagenet",
  smoke: options.smoke,
  backend: results.backend,
  protocol: {
    ...protocol(options.epochs, options.batchSize),
    batchSize: options.batchSize,
    epochs: options.epochs,
    size: options.size,
  },
  rows: results.rows,
  paper: table1,
})

/** The folder: tables.md and summary.json beside the saved networks (models/). */
export const writeFolder = (
  out: string,
  tablesText: string,
  summaryJson: unknown,
): Effect.Effect<{ readonly tables: string; readonly summary: unknown }, CliError> =>
  Effect.gen(function* () {
    yield* Files.writeText(join(out, "tables.md"), `${tablesText}\n`)
    yield* Files.writeJson(join(out, "summary.json"), summaryJson)
    return {
      tables: `${tablesText}\n\nwritten to ${out}: tables.md, summary.json, models/`,
      summary: summaryJson,
    }
  })
