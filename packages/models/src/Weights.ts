/**
 * Weights without topology, for checkpoints: every weight of `model.weights` (trainable ones
 * and batch-norm moving statistics) in that order, which is fixed by the construction code.
 *
 * Byte layout of `toBytes`: "VCW1", a little-endian uint32 header length, a JSON header
 * `{ model, weights: [{ name, shape }] }`, zero padding to a multiple of 4, then the float32
 * values of every weight in header order (little-endian).
 */
import * as tf from "@tensorflow/tfjs-core"
import { Effect } from "effect"
import type { Classifier } from "./Classifier.ts"
import { WeightsMismatchError } from "./Errors.ts"

const MAGIC = "VCW1"

export interface WeightEntry {
  readonly name: string
  readonly shape: ReadonlyArray<number>
}

/** Names and shapes of the weights in their stable order (names are layer-scoped, e.g. "conv_3/kernel"). */
export const entries = (classifier: Classifier): ReadonlyArray<WeightEntry> =>
  classifier.model.weights.map((w) => ({ name: w.originalName, shape: w.shape as ReadonlyArray<number> }))

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

const mismatch = (classifier: Classifier, argument: string, value: unknown, expected: string) =>
  new WeightsMismatchError({ model: classifier.name, argument, value, expected })

/**
 * Assign weights by name. Every weight of the model must be present with its shape; the
 * caller keeps (and disposes) the given tensors.
 */
export const assignNamed = (
  classifier: Classifier,
  tensors: tf.NamedTensorMap,
): Effect.Effect<void, WeightsMismatchError> =>
  Effect.suspend(() => {
    const wanted = entries(classifier)
    const names = new Set(wanted.map((e) => e.name))
    const extra = Object.keys(tensors).filter((name) => !names.has(name))
    if (extra.length > 0)
      return Effect.fail(mismatch(classifier, "weight names", extra, "names of this model"))
    const ordered: Array<tf.Tensor> = []
    for (const { name, shape } of wanted) {
      const t = tensors[name]
      if (t === undefined) return Effect.fail(mismatch(classifier, `weight ${name}`, undefined, "present"))
      if (!sameShape(t.shape, shape))
        return Effect.fail(mismatch(classifier, `shape of ${name}`, t.shape, `[${shape.join(", ")}]`))
      ordered.push(t)
    }
    return Effect.sync(() => classifier.model.setWeights(ordered))
  })

const pad4 = (n: number): number => (4 - (n % 4)) % 4

/** All weights as bytes (synchronous: reads each weight from the backend). */
export const toBytes = (classifier: Classifier): Uint8Array => {
  const header = new TextEncoder().encode(
    JSON.stringify({ model: classifier.name, weights: entries(classifier) }),
  )
  const offset = 8 + header.length + pad4(header.length)
  const values = classifier.model.weights.map((w) => w.read().dataSync() as Float32Array)
  const bytes = new Uint8Array(offset + 4 * values.reduce((n, v) => n + v.length, 0))
  const view = new DataView(bytes.buffer)
  bytes.set(new TextEncoder().encode(MAGIC), 0)
  view.setUint32(4, header.length, true)
  bytes.set(header, 8)
  let at = offset
  for (const v of values) {
    for (let i = 0; i < v.length; i++) view.setFloat32(at + 4 * i, v[i]!, true)
    at += 4 * v.length
  }
  return bytes
}

const parseHeader = (
  classifier: Classifier,
  bytes: Uint8Array,
): WeightsMismatchError | { readonly weights: ReadonlyArray<WeightEntry>; readonly offset: number } => {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC)
    return mismatch(classifier, "bytes", `${bytes.length} bytes`, `bytes starting with "${MAGIC}"`)
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true)
  if (8 + length > bytes.length)
    return mismatch(classifier, "header length", length, `at most ${bytes.length - 8}`)
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as {
      weights?: ReadonlyArray<WeightEntry>
    }
    if (!Array.isArray(header.weights))
      return mismatch(classifier, "header.weights", header.weights, "a list")
    return { weights: header.weights, offset: 8 + length + pad4(length) }
  } catch (error) {
    return mismatch(classifier, "header", String(error), "JSON")
  }
}

/** Restore weights written by `toBytes` for a network of the same architecture. */
export const fromBytes = (
  classifier: Classifier,
  bytes: Uint8Array,
): Effect.Effect<void, WeightsMismatchError> =>
  Effect.suspend(() => {
    const parsed = parseHeader(classifier, bytes)
    if (parsed instanceof WeightsMismatchError) return Effect.fail(parsed)
    const sizes = parsed.weights.map((w) => w.shape.reduce((a, b) => a * b, 1))
    const expectedLength = parsed.offset + 4 * sizes.reduce((a, b) => a + b, 0)
    if (bytes.length !== expectedLength)
      return Effect.fail(
        mismatch(classifier, "byte length", bytes.length, `${expectedLength} for its header`),
      )
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let at = parsed.offset
    const named: tf.NamedTensorMap = {}
    parsed.weights.forEach((w, k) => {
      const values = new Float32Array(sizes[k]!)
      for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(at + 4 * i, true)
      at += 4 * values.length
      named[w.name] = tf.tensor(values, [...w.shape], "float32")
    })
    return assignNamed(classifier, named).pipe(Effect.ensuring(Effect.sync(() => tf.dispose(named))))
  })
