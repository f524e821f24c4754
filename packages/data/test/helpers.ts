import assert from "node:assert/strict"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import type { Dataset } from "../src/Dataset.ts"

/** Runs an effect that must succeed. */
export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** Runs an effect that must fail and returns its typed error (fails the test otherwise). */
export const failure = async <A, E>(effect: Effect.Effect<A, E>): Promise<E> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) assert.fail(`expected a failure, got ${String(exit.value)}`)
  const error = Exit.findErrorOption(exit)
  if (error._tag === "None") assert.fail(`expected a typed failure, got a defect: ${String(exit.cause)}`)
  return error.value
}

/** Runs `body` with a fresh temporary folder, removed afterwards whatever happens. */
export const withTempDir = async <A>(body: (dir: string) => Promise<A>): Promise<A> => {
  const dir = await mkdtemp(join(tmpdir(), "vicinal-data-"))
  try {
    return await body(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** A small dataset whose example i has features (i, i + 0.5, ...) so rows identify examples. */
export const indexed = (n: number, featureShape: ReadonlyArray<number>, numClasses: number): Dataset => {
  const d = featureShape.reduce((a, b) => a * b, 1)
  const x = new Float32Array(n * d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = i + j / (d + 1)
  const labels = Int32Array.from({ length: n }, (_, i) => i % numClasses)
  return { name: "indexed", x, shape: [n, ...featureShape], labels, trueLabels: labels.slice(), numClasses }
}

/** A deep copy, to compare a dataset before and after an operation that must not mutate it. */
export const snapshot = (dataset: Dataset) => ({
  x: dataset.x.slice(),
  labels: dataset.labels.slice(),
  trueLabels: dataset.trueLabels.slice(),
  shape: [...dataset.shape],
})

/** Exact equality of two typed arrays (fast, for large arrays). */
export const sameArray = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  a.byteLength === b.byteLength &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
