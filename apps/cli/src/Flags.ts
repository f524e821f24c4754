/**
 * The flags the commands share, each checked at parse time and with its default shown in --help
 * (effect/cli does not print defaults itself): counts, rates, seeds, the backend, and the set
 * every training command takes (`commonFlags`, defaults per command).
 */
import { Backend } from "@vicinal/train"
import { Schema } from "effect"
import { Flag } from "effect/cli"

export const positiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export const nonNegativeInt = Schema.Int.check(
  Schema.isGreaterThanOrEqualTo(0),
  Schema.isLessThanOrEqualTo(2 ** 31 - 1),
)
export const positive = Schema.Finite.check(Schema.isGreaterThan(0))

export const intFlag = (name: string, description: string) =>
  Flag.Int(name).pipe(Flag.withSchema(positiveInt), Flag.withDescription(description))

/** A flag's default, also shown in --help. */
export const defaulted =
  <A>(description: string, value: A) =>
  (flag: Flag.Flag<A>): Flag.Flag<A> =>
    flag.pipe(Flag.withDescription(`${description} (default ${String(value)})`), Flag.withDefault(value))

/** A positive integer flag with a default shown in --help. */
export const countFlag = (name: string, description: string, value: number) =>
  Flag.Int(name).pipe(Flag.withSchema(positiveInt), defaulted(description, value))

/** A positive number flag with a default shown in --help. */
export const positiveFlag = (name: string, description: string, value: number) =>
  Flag.Finite(name).pipe(Flag.withSchema(positive), defaulted(description, value))

export const seedFlag = Flag.Int("seed").pipe(Flag.withSchema(nonNegativeInt), defaulted("first seed", 0))

export const backendChoice = Flag.Literals("backend", ["auto", ...Backend.candidates])
export const BACKEND_HELP = "tfjs backend (auto: the fastest that works)"

/** The results folder flag (default `results/<experiment>-<timestamp>`). */
export const outFlag = (experiment = "<experiment>") =>
  Flag.String("out").pipe(
    Flag.withDescription(`results folder (default results/${experiment}-<timestamp>)`),
    Flag.optional,
  )

/** Defaults of one training command: shown in its --help and applied by its handler. */
export interface Defaults {
  readonly backend: Backend.BackendChoice
  readonly lr: number
  readonly batchSize: number
  readonly epochs: number
  /** Training examples used when --limit is not given (default: all). */
  readonly limit?: number
  /** Seeds when --seeds is not given (default 1). */
  readonly seeds?: number
}

/** The flags every training command shares; defaults differ per command. */
export const commonFlags = (defaults: Defaults) => ({
  epochs: intFlag("epochs", `training epochs per run (default ${defaults.epochs})`).pipe(Flag.optional),
  seed: seedFlag,
  seeds: countFlag(
    "seeds",
    "number of seeds (seed, seed+1, ...); tables report mean ± std",
    defaults.seeds ?? 1,
  ),
  backend: backendChoice.pipe(defaulted(BACKEND_HELP, defaults.backend)),
  out: outFlag(),
  resume: Flag.Boolean("resume").pipe(
    Flag.withDescription(
      "continue interrupted runs, reuse finished ones (default folder: the newest of this experiment)",
    ),
    Flag.withDefault(false),
  ),
  limit: intFlag(
    "limit",
    `use only this many training examples (default ${defaults.limit === undefined ? "all" : defaults.limit})`,
  ).pipe(Flag.optional),
  testLimit: intFlag(
    "test-limit",
    "test examples: MNIST holds out this many (default 2000); CIFAR keeps the first this many of its test set",
  ).pipe(Flag.optional),
  batchSize: countFlag("batch-size", "examples per batch", defaults.batchSize),
  lr: Flag.Finite("lr").pipe(
    Flag.withSchema(positive),
    defaulted("learning rate (SGD, momentum 0.9, weight decay 1e-4)", defaults.lr),
  ),
})

export const hiddenFlag = (fallback: string, description = "MLP hidden layer widths, comma-separated") =>
  Flag.String("hidden").pipe(defaulted(description, fallback))

export const epsilonFlag = (fallback: number) =>
  Flag.Finite("epsilon").pipe(
    Flag.withSchema(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(1))),
    defaulted("attack radius (L-inf) on pixels in [0, 1]", fallback),
  )
