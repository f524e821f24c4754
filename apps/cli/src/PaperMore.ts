/**
 * The paper's remaining experiments (GAN stabilisation, the UCI tables) as entries of the
 * `reproduce` table (`Reproduce.experiments`), run by the same runner as the others
 * (`Experiment.execute`). Their settings share `Flags`; each keeps its own folder: the GAN's
 * tables and samples over training, the UCI runs' folder without pictures.
 */
import type { Backend } from "@vicinal/train"
import { Effect, type Option } from "effect"
import { Flag } from "effect/cli"
import * as Experiment from "./Experiment.ts"
import * as Flags from "./Flags.ts"
import * as Gan from "./Gan.ts"
import * as ImageNetCommand from "./ImageNetCommand.ts"
import * as Options from "./Options.ts"
import * as Setup from "./Setup.ts"
import * as Uci from "./Uci.ts"

/** The GAN defaults: what the committed results under docs/results/gan ran with. */
export const ganDefaults: {
  readonly seeds: number
  readonly iterations: number
  readonly batchSize: number
  readonly hidden: string
  readonly lr: number
  readonly alpha: number
  readonly samples: number
} = {
  seeds: 3,
  iterations: 2000,
  batchSize: 128,
  hidden: "64,64",
  lr: 1e-3,
  alpha: 0.2,
  samples: 2500,
}

/** The UCI defaults (the paper's setting as recalled, unconfirmed: MLP 128-128, Adam, batch 16, 10 epochs). */
export const uciDefaults: {
  readonly seeds: number
  readonly epochs: number
  readonly batchSize: number
  readonly hidden: string
  readonly lr: number
  readonly alpha: number
} = { seeds: 3, epochs: 10, batchSize: 16, hidden: "128,128", lr: 1e-3, alpha: 1 }

/**
 * The settings both experiments share, in their --help order: seeds, the length of a run
 * (iterations or epochs), batch size, MLP widths, Adam's rate and mixup's alpha.
 */
const sharedFlags = (
  defaults: typeof ganDefaults | typeof uciDefaults,
  length: Flag.Flag<number>,
  help: {
    readonly seeds: string
    readonly batchSize: string
    readonly hidden: string
    readonly lr: string
    readonly alpha: string
  },
) => ({
  seed: Flags.seedFlag,
  seeds: Flags.countFlag("seeds", help.seeds, defaults.seeds),
  length,
  batchSize: Flags.countFlag("batch-size", help.batchSize, defaults.batchSize),
  hidden: Flags.hiddenFlag(defaults.hidden, help.hidden),
  lr: Flags.positiveFlag("lr", help.lr, defaults.lr),
  alpha: Flags.positiveFlag("alpha", help.alpha, defaults.alpha),
})

/** The MLP widths and the results folder (a new one: these experiments do not resume). */
const sharedOptions = (
  experiment: string,
  flags: { readonly hidden: string; readonly out: Option.Option<string> },
) =>
  Effect.gen(function* () {
    const hidden = yield* Options.numberList("--hidden", flags.hidden, Options.positiveIntegers)
    const out = yield* Options.outDir(experiment, flags.out, false)
    return { hidden, out }
  })

export const gan = Experiment.define({
  name: "gan",
  description:
    "GAN stabilisation on 2-D toy data (8 Gaussians on a ring, 25 on a grid): ERM vs mixup in the discriminator; modes covered, high-quality samples, and the samples over training",
  flags: {
    ...sharedFlags(
      ganDefaults,
      Flags.countFlag(
        "iterations",
        "training iterations (one discriminator and one generator step each)",
        ganDefaults.iterations,
      ),
      {
        seeds: "number of seeds (seed, seed+1, ...)",
        batchSize: "real and generated examples per step",
        hidden: "hidden widths of both MLPs, comma-separated",
        lr: "Adam's learning rate (beta1 0.5)",
        alpha: "mixup's Beta(alpha, alpha) in the discriminator",
      },
    ),
    samples: Flags.countFlag(
      "samples",
      "generated samples scored and drawn per snapshot",
      ganDefaults.samples,
    ),
    data: Flag.Literals("data", ["both", "ring", "grid"]).pipe(
      Flags.defaulted<"both" | "ring" | "grid">("8 Gaussians on a ring, 25 on a grid, or both", "both"),
    ),
    out: Flags.outFlag("gan"),
  },
  options: (flags) =>
    Effect.map(
      sharedOptions("gan", flags),
      ({ hidden, out }): Gan.GanOptions => ({
        out,
        seeds: Setup.seedList(flags.seed, flags.seeds),
        toys: flags.data === "both" ? ["ring", "grid"] : [flags.data],
        iterations: flags.length,
        batchSize: flags.batchSize,
        hidden,
        lr: flags.lr,
        alpha: flags.alpha,
        latent: 2,
        samples: flags.samples,
        snapshots: Gan.defaultSnapshots(flags.length),
      }),
    ),
  runs: (options, tools) => Gan.runs(options, tools.context),
  pictures: Gan.pictures,
  report: (results, options) => ({ rows: [], tables: Gan.tables(results, options), records: results }),
  folder: Gan.writeFolder,
})

export const uci = Experiment.define({
  name: "uci",
  description:
    "The paper's UCI tables: ERM vs mixup with a small MLP on Abalone, Arcene, Arrhythmia, Htru2, Iris and Phishing, given as CSV files",
  flags: {
    dir: Flag.Directory("dir", { mustExist: true }).pipe(
      Flag.withDescription(
        "folder of the UCI CSV files (abalone.csv, arcene.csv, arrhythmia.csv, htru2.csv, iris.csv, phishing.csv; see docs/recipes/uci.md)",
      ),
    ),
    only: Flag.String("only").pipe(
      Flags.defaulted("comma-separated data set names to run (all present ones when empty)", ""),
    ),
    ...sharedFlags(uciDefaults, Flags.countFlag("epochs", "training epochs per run", uciDefaults.epochs), {
      seeds: "number of seeds; tables report mean ± std",
      batchSize: "examples per batch",
      hidden: "MLP hidden widths, comma-separated",
      lr: "Adam's learning rate",
      alpha: "mixup's Beta(alpha, alpha)",
    }),
    backend: Flags.backendChoice.pipe(Flags.defaulted<Backend.BackendChoice>("tfjs backend", "wasm")),
    out: Flags.outFlag("uci"),
  },
  options: (flags) =>
    Effect.map(
      sharedOptions("uci", flags),
      ({ hidden, out }): Uci.UciOptions => ({
        dir: flags.dir,
        only: flags.only
          .split(",")
          .map((n) => n.trim())
          .filter((n) => n !== ""),
        out,
        seeds: Setup.seedList(flags.seed, flags.seeds),
        epochs: flags.length,
        backend: flags.backend,
        trainSize: undefined,
        testSize: undefined,
        batchSize: flags.batchSize,
        lr: flags.lr,
        hidden,
        alpha: flags.alpha,
      }),
    ),
  runs: Uci.runs,
  pictures: () => Effect.succeed([]),
  report: Uci.report,
  folder: Experiment.runsFolder(false),
})

export const experiments: ReadonlyArray<Experiment.Entry> = [gan, uci, ImageNetCommand.entry]
