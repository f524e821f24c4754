/**
 * Turning flag values into experiment options: defaults per command, lists such as
 * `--hidden 256,256`, and the results folder (`results/<experiment>-<timestamp>`, or the newest
 * such folder on `--resume` without `--out`). Errors name the flag and what it accepts.
 */
import { join } from "node:path"
import type { Backend } from "@vicinal/train"
import { Effect, Option } from "effect"
import { UsageError } from "./Errors.ts"
import * as Files from "./Files.ts"
import * as Setup from "./Setup.ts"

/** Comma-separated numbers, each checked by `accept` ("256,256" -> [256, 256]). */
export const numberList = (
  flag: string,
  text: string,
  accept: { readonly test: (x: number) => boolean; readonly what: string },
): Effect.Effect<ReadonlyArray<number>, UsageError> => {
  const parts = text.split(",").map((p) => p.trim())
  const values = parts.map(Number)
  const bad = parts.findIndex((p, i) => p === "" || !Number.isFinite(values[i]) || !accept.test(values[i]!))
  return bad === -1
    ? Effect.succeed(values)
    : Effect.fail(
        new UsageError({
          argument: flag,
          message: `${flag} ${text}: "${parts[bad]}" is not ${accept.what} (expected a comma-separated list, e.g. ${flag} ${accept.what.includes("integer") ? "256,256" : "0.2,0.5,0.8"})`,
        }),
      )
}

export const positiveIntegers = {
  test: (x: number) => Number.isInteger(x) && x >= 1,
  what: "a positive integer",
}
export const fractions = { test: (x: number) => x >= 0 && x < 1, what: "a fraction in [0, 1)" }

/** `2026-11-25T12-40-05` (local clock, file-name safe). */
export const timestamp = (date: Date): string => date.toISOString().slice(0, 19).replaceAll(":", "-")

/** The experiment folder: `--out`, else on `--resume` the newest `results/<experiment>-*`, else a new one. */
export const outDir = (
  experiment: string,
  out: Option.Option<string>,
  resume: boolean,
  root = "results",
): Effect.Effect<string, UsageError | import("./Errors.ts").FileError> =>
  Option.isSome(out)
    ? Effect.succeed(out.value)
    : resume
      ? Effect.flatMap(Files.list(root), (names) => {
          const newest = names.filter((n) => n.startsWith(`${experiment}-`)).at(-1)
          return newest === undefined
            ? Effect.fail(
                new UsageError({
                  argument: "--resume",
                  message: `--resume: no earlier ${experiment} results under ${root}/; give the folder with --out DIR`,
                }),
              )
            : Effect.succeed(join(root, newest))
        })
      : Effect.succeed(join(root, `${experiment}-${timestamp(new Date())}`))

export interface CommonFlags {
  readonly epochs: Option.Option<number>
  readonly seed: number
  readonly seeds: number
  readonly backend: Backend.BackendChoice
  readonly out: Option.Option<string>
  readonly resume: boolean
  readonly limit: Option.Option<number>
  readonly testLimit: Option.Option<number>
  readonly batchSize: number
  readonly lr: number
}

export const common = (
  experiment: string,
  flags: CommonFlags,
  defaults: { readonly epochs: number; readonly limit?: number },
): Effect.Effect<Setup.Common, UsageError | import("./Errors.ts").FileError> =>
  Effect.map(outDir(experiment, flags.out, flags.resume), (out) => ({
    out,
    seeds: Setup.seedList(flags.seed, flags.seeds),
    epochs: Option.getOrElse(flags.epochs, () => defaults.epochs),
    backend: flags.backend,
    trainSize: Option.getOrElse(flags.limit, () => defaults.limit),
    testSize: Option.getOrUndefined(flags.testLimit),
    batchSize: flags.batchSize,
    lr: flags.lr,
  }))
