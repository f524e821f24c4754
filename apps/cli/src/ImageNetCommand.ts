/**
 * `vicinal reproduce imagenet --dir FOLDER [--smoke]`: Table 1's experiment (`ImageNet.ts`) as an
 * entry of the `reproduce` table, run by the same runner as the others (`Experiment.execute`).
 */
import type { Backend } from "@vicinal/train"
import { Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { UsageError } from "./Errors.ts"
import * as Experiment from "./Experiment.ts"
import * as Flags from "./Flags.ts"
import * as ImageNet from "./ImageNet.ts"
import * as Options from "./Options.ts"

/** The paper's settings, and the smoke run's (a tiny folder, small images, a small network). */
export const defaults = {
  full: { epochs: 90, batchSize: 256, size: 224 },
  smoke: { epochs: 1, batchSize: 4, size: 32 },
} as const

const optionalCount = (name: string, key: keyof typeof defaults.full, description: string) =>
  Flags.intFlag(name, `${description} (default ${defaults.full[key]}; --smoke: ${defaults.smoke[key]})`).pipe(
    Flag.optional,
  )

const parseNetworks = (text: string): Effect.Effect<ReadonlyArray<ImageNet.Network>, UsageError> =>
  Effect.suspend(() => {
    const names = text
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n !== "")
    const unknown = names.filter((n) => !(ImageNet.networkNames as ReadonlyArray<string>).includes(n))
    return names.length === 0 || unknown.length > 0
      ? Effect.fail(
          new UsageError({
            argument: "--models",
            message: `--models ${text}: expected a comma-separated list of ${ImageNet.networkNames.join(", ")}`,
          }),
        )
      : Effect.succeed(names as ReadonlyArray<ImageNet.Network>)
  })

const description =
  "Table 1: ImageNet-2012, ResNet-50/101 and ResNeXt-101 32x4d/64x4d, ERM vs mixup, top-1 and top-5 error (needs a native backend; --smoke checks the pipeline on a tiny folder)"

/** Table 1 as an entry of the `reproduce` table. */
export const entry = Experiment.define({
  name: "imagenet",
  description,
  flags: {
    dir: Flag.Directory("dir", { mustExist: true }).pipe(
      Flag.withDescription(
        "ImageNet-2012 folder: train/<wnid>/*.JPEG and val/ (class folders, or flat images with LOC_val_solution.csv or ILSVRC2012_validation_ground_truth.txt; see docs/guide/imagenet.md)",
      ),
    ),
    smoke: Flag.Boolean("smoke").pipe(
      Flag.withDescription(
        "check the pipeline end to end on a tiny folder: a small CNN, 32-pixel images, any backend",
      ),
      Flag.withDefault(false),
    ),
    models: Flag.String("models").pipe(
      Flag.withDescription(`networks, comma-separated (default all: ${ImageNet.networkNames.join(",")})`),
      Flag.withDefault(ImageNet.networkNames.join(",")),
    ),
    epochs: optionalCount(
      "epochs",
      "epochs",
      "training epochs: 90 or 200 as the paper (other lengths scale the schedule)",
    ),
    batchSize: optionalCount(
      "batch-size",
      "batchSize",
      "images per batch; the learning rate is 0.1 x batch / 256",
    ),
    size: optionalCount("size", "size", "image side of the crops"),
    stepsPerEpoch: Flags.intFlag(
      "steps-per-epoch",
      "train at most this many batches per epoch (default: the whole training set)",
    ).pipe(Flag.optional),
    alpha: Flag.Finite("alpha").pipe(
      Flag.withSchema(Flags.positive),
      Flag.withDescription("mixup's α for every network (default the paper's: 0.2 ResNets, 0.4 ResNeXts)"),
      Flag.optional,
    ),
    seed: Flag.Int("seed").pipe(
      Flag.withSchema(Flags.nonNegativeInt),
      Flags.defaulted("seed of the initialisation, the order, the crops and mixup", 0),
    ),
    backend: Flags.backendChoice.pipe(
      Flags.defaulted<Backend.BackendChoice>(
        "tfjs backend (a full run needs tfjs-node-gpu or tfjs-node)",
        "auto",
      ),
    ),
    labels: Flag.String("labels").pipe(
      Flag.withDescription("validation label file (default: found in the folder)"),
      Flag.optional,
    ),
    devkitClasses: Flag.String("devkit-classes").pipe(
      Flag.withDescription(
        "with the devkit's ground truth: its class order, one wnid per line (ILSVRC2012_ID 1..1000)",
      ),
      Flag.optional,
    ),
    out: Flags.outFlag("imagenet"),
  },
  options: (flags) =>
    Effect.gen(function* () {
      const scale = flags.smoke ? defaults.smoke : defaults.full
      const networks = yield* parseNetworks(flags.models)
      const out = yield* Options.outDir("imagenet", flags.out, false)
      return {
        dir: flags.dir,
        out,
        networks,
        epochs: Option.getOrElse(flags.epochs, () => scale.epochs),
        batchSize: Option.getOrElse(flags.batchSize, () => scale.batchSize),
        size: Option.getOrElse(flags.size, () => scale.size),
        stepsPerEpoch: Option.getOrUndefined(flags.stepsPerEpoch),
        seed: flags.seed,
        backend: flags.backend,
        alpha: Option.getOrUndefined(flags.alpha),
        labels: Option.getOrUndefined(flags.labels),
        devkitClasses: Option.getOrUndefined(flags.devkitClasses),
        smoke: flags.smoke,
      } satisfies ImageNet.Settings
    }),
  runs: (settings: ImageNet.Settings, tools) =>
    ImageNet.runs({
      ...settings,
      log: (line) => tools.context.write(`${line}\n`),
      signal: tools.context.signal,
    }),
  pictures: () => Effect.succeed([]),
  report: (results, settings) => ({
    rows: [],
    tables: ImageNet.tables(results, settings),
    records: ImageNet.summary(results, settings),
  }),
  folder: (finished) =>
    ImageNet.writeFolder(finished.options.out, finished.tables.join("\n"), finished.records),
})
