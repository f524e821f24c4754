/**
 * The `reproduce` subcommands of the paper's remaining experiments (GAN stabilisation, the UCI
 * tables), kept apart from `Cli.ts` so that registering them is one line there. `commands(io)`
 * returns them for `Command.withSubcommands`.
 */
import { Backend } from "@vicinal/train"
import { Effect, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import * as Gan from "./Gan.ts"
import * as ImageNetCommand from "./ImageNetCommand.ts"
import * as Options from "./Options.ts"
import type * as Runner from "./Runner.ts"
import * as Setup from "./Setup.ts"
import * as Uci from "./Uci.ts"

export interface Io {
  readonly context: Runner.Context
  readonly print: (text: string) => Effect.Effect<void>
}

const positiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
const positive = Schema.Finite.check(Schema.isGreaterThan(0))

/** A flag with its default shown in --help. */
const withDefault =
  <A>(description: string, value: A) =>
  (flag: Flag.Flag<A>): Flag.Flag<A> =>
    flag.pipe(Flag.withDescription(`${description} (default ${String(value)})`), Flag.withDefault(value))

const count = (name: string, description: string, value: number) =>
  Flag.Int(name).pipe(Flag.withSchema(positiveInt), withDefault(description, value))

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

export const commands = (io: Io) => {
  const gan = Command.make(
    "gan",
    {
      seed: Flag.Int("seed").pipe(
        Flag.withSchema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
        withDefault("first seed", 0),
      ),
      seeds: count("seeds", "number of seeds (seed, seed+1, ...)", ganDefaults.seeds),
      iterations: count(
        "iterations",
        "training iterations (one discriminator and one generator step each)",
        ganDefaults.iterations,
      ),
      batchSize: count("batch-size", "real and generated examples per step", ganDefaults.batchSize),
      hidden: Flag.String("hidden").pipe(
        withDefault("hidden widths of both MLPs, comma-separated", ganDefaults.hidden),
      ),
      lr: Flag.Finite("lr").pipe(
        Flag.withSchema(positive),
        withDefault("Adam's learning rate (beta1 0.5)", ganDefaults.lr),
      ),
      alpha: Flag.Finite("alpha").pipe(
        Flag.withSchema(positive),
        withDefault("mixup's Beta(alpha, alpha) in the discriminator", ganDefaults.alpha),
      ),
      samples: count("samples", "generated samples scored and drawn per snapshot", ganDefaults.samples),
      data: Flag.Literals("data", ["both", "ring", "grid"]).pipe(
        withDefault<"both" | "ring" | "grid">("8 Gaussians on a ring, 25 on a grid, or both", "both"),
      ),
      out: Flag.String("out").pipe(
        Flag.withDescription("results folder (default results/gan-<timestamp>)"),
        Flag.optional,
      ),
    },
    (flags) =>
      Effect.gen(function* () {
        const hidden = yield* Options.numberList("--hidden", flags.hidden, Options.positiveIntegers)
        const out = yield* Options.outDir("gan", flags.out, false)
        const written = yield* Gan.reproduce({
          out,
          seeds: Setup.seedList(flags.seed, flags.seeds),
          toys: flags.data === "both" ? ["ring", "grid"] : [flags.data],
          iterations: flags.iterations,
          batchSize: flags.batchSize,
          hidden,
          lr: flags.lr,
          alpha: flags.alpha,
          latent: 2,
          samples: flags.samples,
          snapshots: Gan.defaultSnapshots(flags.iterations),
          log: (line) => io.context.write(`${line}\n`),
          signal: io.context.signal,
        })
        yield* io.print(`${written.tables}\n\nwritten to ${out}`)
      }),
  ).pipe(
    Command.withDescription(
      "GAN stabilisation on 2-D toy data (8 Gaussians on a ring, 25 on a grid): ERM vs mixup in the discriminator; modes covered, high-quality samples, and the samples over training",
    ),
  )
  const uci = Command.make(
    "uci",
    {
      dir: Flag.Directory("dir", { mustExist: true }).pipe(
        Flag.withDescription(
          "folder of the UCI CSV files (abalone.csv, arcene.csv, arrhythmia.csv, htru2.csv, iris.csv, phishing.csv; see docs/recipes/uci.md)",
        ),
      ),
      only: Flag.String("only").pipe(
        withDefault("comma-separated data set names to run (all present ones when empty)", ""),
      ),
      seed: Flag.Int("seed").pipe(
        Flag.withSchema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
        withDefault("first seed", 0),
      ),
      seeds: count("seeds", "number of seeds; tables report mean ± std", uciDefaults.seeds),
      epochs: count("epochs", "training epochs per run", uciDefaults.epochs),
      batchSize: count("batch-size", "examples per batch", uciDefaults.batchSize),
      hidden: Flag.String("hidden").pipe(
        withDefault("MLP hidden widths, comma-separated", uciDefaults.hidden),
      ),
      lr: Flag.Finite("lr").pipe(
        Flag.withSchema(positive),
        withDefault("Adam's learning rate", uciDefaults.lr),
      ),
      alpha: Flag.Finite("alpha").pipe(
        Flag.withSchema(positive),
        withDefault("mixup's Beta(alpha, alpha)", uciDefaults.alpha),
      ),
      backend: Flag.Literals("backend", ["auto", ...Backend.candidates]).pipe(
        withDefault<Backend.BackendChoice>("tfjs backend", "wasm"),
      ),
      out: Flag.String("out").pipe(
        Flag.withDescription("results folder (default results/uci-<timestamp>)"),
        Flag.optional,
      ),
    },
    (flags) =>
      Effect.gen(function* () {
        const hidden = yield* Options.numberList("--hidden", flags.hidden, Options.positiveIntegers)
        const out = yield* Options.outDir("uci", flags.out, false)
        const written = yield* Uci.reproduce(
          {
            dir: flags.dir,
            only: flags.only
              .split(",")
              .map((n) => n.trim())
              .filter((n) => n !== ""),
            out,
            seeds: Setup.seedList(flags.seed, flags.seeds),
            epochs: flags.epochs,
            backend: flags.backend,
            trainSize: undefined,
            testSize: undefined,
            batchSize: flags.batchSize,
            lr: flags.lr,
            hidden,
            alpha: flags.alpha,
          },
          { ...io.context, resume: false },
        )
        yield* io.print(written.tables)
      }),
  ).pipe(
    Command.withDescription(
      "The paper's UCI tables: ERM vs mixup with a small MLP on Abalone, Arcene, Arrhythmia, Htru2, Iris and Phishing, given as CSV files",
    ),
  )
  return [gan, uci, ImageNetCommand.make(io)] as const
}
