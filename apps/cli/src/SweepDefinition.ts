/**
 * A sweep definition (JSON or YAML, decoded by an Effect Schema): a base run config, axes on
 * dotted paths of it (`strategy.alpha: [0.2, 1, 8, 32]`, `data.labelNoise: [0.2, 0.5]`) and
 * seeds. It expands into runs, one per point of the axes' grid and seed, each with a stable id:
 * a hash of its canonical run config, so that the same file always gives the same ids and a
 * results folder can be resumed by id.
 *
 * A point's config is validated like any run config; an invalid one stays in the sweep as a
 * failed run carrying the `InvalidArgument` naming the field, and the other runs go ahead.
 */
import { createHash } from "node:crypto"
import { Errors, RunConfig } from "@vicinal/train"
import { Effect, Schema } from "effect"
import { parse as parseYaml } from "yaml"
import { describe, type FileError, UsageError } from "./Errors.ts"
import * as Files from "./Files.ts"

const Seed = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(2 ** 31 - 1))
const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
const AxisPath = Schema.String.check(Schema.isPattern(/^[A-Za-z_$][\w$]*(\.[\w$]+)*$/))

export const SweepSchema = Schema.Struct({
  /** Names the sweep in tables and pictures (default: the file's name). */
  name: Schema.optionalKey(Schema.String),
  /** A run config as JSON (`vicinal train --config` reads the same); `seed` is set per run. */
  base: Schema.Record(Schema.String, Schema.Unknown),
  /** Dotted path in the run config -> the values it takes; the grid is their product, in file order. */
  axes: Schema.optionalKey(Schema.Record(AxisPath, Schema.NonEmptyArray(Schema.Unknown))),
  /** The seeds of every point: a list, or a count n for seeds 0..n-1. */
  seeds: Schema.Union([Schema.NonEmptyArray(Seed), PositiveInt]),
})
export type Sweep = typeof SweepSchema.Type

/** One axis value of a run. */
export interface Setting {
  readonly path: string
  readonly value: unknown
}

/** One run of a sweep. */
export interface PlannedRun {
  /** 12 hex digits of the sha256 of the canonical run config. */
  readonly id: string
  /** The configuration (the axes' values), shared by its seeds: "strategy.alpha=1, data.labelNoise=0.5". */
  readonly label: string
  readonly point: ReadonlyArray<Setting>
  readonly seed: number
  /** The run config as JSON (not yet validated). */
  readonly config: unknown
}

/** JSON with keys sorted at every level: equal configs give equal text, whatever the key order. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  )

export const runId = (config: unknown): string =>
  createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 12)

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * `json` with `value` at the dotted `path` (objects on the way are created; an array index is a
 * number segment). Fails naming the path when it runs through a value that is not an object.
 */
export const setPath = (json: unknown, path: string, value: unknown): unknown =>
  setAt(json, path.split("."), value, path)

const setAt = (json: unknown, segments: ReadonlyArray<string>, value: unknown, path: string): unknown => {
  const [head, ...rest] = segments
  if (head === undefined) return value
  const container: unknown = json === undefined ? {} : json
  if (Array.isArray(container) && /^\d+$/.test(head)) {
    const copy = [...container]
    copy[Number(head)] = setAt(copy[Number(head)], rest, value, path)
    return copy
  }
  if (!isRecord(container))
    throw new UsageError({
      argument: `axes.${path}`,
      message: `axes.${path}: cannot set "${head}" inside ${JSON.stringify(container)} (not an object); an axis path names a field of the run config, e.g. data.labelNoise`,
    })
  return { ...container, [head]: setAt(container[head], rest, value, path) }
}

/**
 * Paths that stand for more than one field. `strategy.alpha` is the paper's alpha: the strategy's
 * symmetric Beta(alpha, alpha) mixing distribution.
 */
const aliases: Readonly<Record<string, (value: unknown) => ReadonlyArray<Setting>>> = {
  "strategy.alpha": (value) => [{ path: "strategy.lambda", value: { _tag: "Beta", a: value, b: value } }],
}

const apply = (json: unknown, setting: Setting): unknown =>
  (aliases[setting.path]?.(setting.value) ?? [setting]).reduce(
    (acc, s) => setPath(acc, s.path, s.value),
    json,
  )

const show = (value: unknown): string => (typeof value === "string" ? value : canonicalJson(value))

/** Every combination of the axes' values, the last axis varying fastest. */
const grid = (axes: ReadonlyArray<readonly [string, ReadonlyArray<unknown>]>): Array<Array<Setting>> =>
  axes.reduce<Array<Array<Setting>>>(
    (points, [path, values]) => points.flatMap((point) => values.map((value) => [...point, { path, value }])),
    [[]],
  )

export const seedsOf = (sweep: Sweep): ReadonlyArray<number> =>
  typeof sweep.seeds === "number" ? Array.from({ length: sweep.seeds }, (_, k) => k) : sweep.seeds

/** The runs of a sweep, configuration by configuration, seeds within; equal configs are one run. */
export const expand = (sweep: Sweep): Effect.Effect<ReadonlyArray<PlannedRun>, UsageError> =>
  Effect.try({
    try: () => {
      const points = grid(Object.entries(sweep.axes ?? {}))
      const runs = points.flatMap((point) => {
        const label = point.length === 0 ? "base" : point.map((s) => `${s.path}=${show(s.value)}`).join(", ")
        const json = point.reduce(apply, sweep.base as unknown)
        return seedsOf(sweep).map((seed) => {
          const config = { ...(json as Record<string, unknown>), seed }
          return { id: runId(config), label, point, seed, config }
        })
      })
      return runs.filter((r, k) => runs.findIndex((other) => other.id === r.id) === k)
    },
    catch: (e) =>
      e instanceof UsageError ? e : new UsageError({ argument: "axes", message: `axes: ${describe(e)}` }),
  })

/** A run's config, validated: the `InvalidArgument` names the failing field (`optimizer.lr`). */
export const validate = (run: PlannedRun): Effect.Effect<RunConfig.RunConfig, Errors.InvalidArgument> =>
  RunConfig.decode(run.config)

/** Decode a parsed sweep file; errors name the field of the file (`axes.strategy.alpha`). */
export const decode = (input: unknown, source: string): Effect.Effect<Sweep, UsageError> =>
  Schema.decodeUnknownEffect(SweepSchema, { onExcessProperty: "error" })(input).pipe(
    Effect.mapError((e) => {
      const error = Errors.fromSchemaError(e, "", input)
      return new UsageError({ argument: error.argument, message: `${source}: ${error.message}` })
    }),
  )

/** Parse a sweep file's text: YAML for `.yaml`/`.yml`, else JSON. */
export const parse = (text: string, file: string): Effect.Effect<unknown, UsageError> =>
  Effect.try({
    try: () => (/\.ya?ml$/i.test(file) ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown)),
    catch: (e) =>
      new UsageError({
        argument: "FILE",
        message: `${file}: not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"} (${describe(e)})`,
      }),
  })

/** Read, parse and decode a sweep file. */
export const read = (file: string): Effect.Effect<Sweep, UsageError | FileError> =>
  Files.readText(file).pipe(
    Effect.flatMap((text) => parse(text, file)),
    Effect.flatMap((json) => decode(json, file)),
  )
