/**
 * Classification metrics from logits, returned as plain numbers and typed arrays (computed in
 * `tf.tidy`, downloaded, nothing left on the device). Inputs are validated first; bad input
 * throws a tagged `LossError` naming the argument.
 *
 * Ties are broken towards the lower class index everywhere (as `tf.argMax` does), so top-1,
 * `predictions` and `confusion` always agree. A NaN logit for the true class counts as a miss.
 */
import * as tf from "@tensorflow/tfjs-core"
import { dual } from "effect/Function"
import { ShapeMismatch } from "./Errors.ts"
import * as Validate from "./Validate.ts"

const labelsFor = (logits: tf.Tensor2D, labels: Int32Array): readonly [number, number] => {
  const [n, classes] = Validate.batchMatrix("logits", logits)
  Validate.indices("labels", labels, n, classes)
  return [n, classes]
}

/**
 * Rank of the true class per example: how many classes come before it when sorted by logit
 * (descending, ties to the lower index). 0 = predicted. NaN true-class logit gives `classes`.
 */
export const ranks = (logits: tf.Tensor2D, labels: Int32Array): Int32Array => {
  const [n, classes] = labelsFor(logits, labels)
  return tf.tidy(() => {
    const labelTensor = tf.tensor1d(labels, "int32")
    // gather from the flattened logits (a one-hot product would turn a -Infinity elsewhere into NaN)
    const flatIndex = Int32Array.from(labels, (label, i) => i * classes + label)
    const trueLogit = tf.reshape(tf.gather(tf.reshape(logits, [n * classes]), flatIndex), [n, 1])
    const classIndex = tf.reshape(tf.range(0, classes, 1, "int32"), [1, classes])
    const before = tf.logicalOr(
      tf.greater(logits, trueLogit),
      tf.logicalAnd(tf.equal(logits, trueLogit), tf.less(classIndex, tf.reshape(labelTensor, [n, 1]))),
    )
    const rank = tf.sum(tf.cast(before, "int32"), 1)
    return tf
      .where(tf.isNaN(tf.squeeze(trueLogit, [1])), tf.fill([n], classes, "int32"), rank)
      .dataSync() as Int32Array
  })
}

const countBelow = (values: Int32Array, k: number): number => {
  let count = 0
  for (const v of values) if (v < k) count++
  return count
}

/**
 * Number of examples whose label is among the `k` highest logits (k is clipped to the number of
 * classes). Data-first `topKCorrect(logits, labels, 5)` or data-last `topKCorrect(labels, 5)(logits)`.
 */
export const topKCorrect: {
  (labels: Int32Array, k: number): (logits: tf.Tensor2D) => number
  (logits: tf.Tensor2D, labels: Int32Array, k: number): number
} = dual(3, (logits: tf.Tensor2D, labels: Int32Array, k: number): number => {
  Validate.positiveInteger("k", k)
  return countBelow(ranks(logits, labels), k)
})

/** Fraction of examples whose label is NOT among the `k` highest logits (top-1 / top-5 error). */
export const topKError: {
  (labels: Int32Array, k: number): (logits: tf.Tensor2D) => number
  (logits: tf.Tensor2D, labels: Int32Array, k: number): number
} = dual(3, (logits: tf.Tensor2D, labels: Int32Array, k: number): number => {
  Validate.positiveInteger("k", k)
  const r = ranks(logits, labels)
  return 1 - countBelow(r, k) / r.length
})

/** Fraction of examples whose highest logit is their label (`1 - topKError(..., 1)`). */
export const accuracy: {
  (labels: Int32Array): (logits: tf.Tensor2D) => number
  (logits: tf.Tensor2D, labels: Int32Array): number
} = dual(2, (logits: tf.Tensor2D, labels: Int32Array): number => {
  const r = ranks(logits, labels)
  return countBelow(r, 1) / r.length
})

/** Arg-max class per row (ties to the lower index). */
export const predictions = (logits: tf.Tensor2D): Int32Array => {
  Validate.batchMatrix("logits", logits)
  return tf.tidy(() => tf.argMax(logits, 1).dataSync() as Int32Array)
}

/**
 * Accuracy against soft labels: fraction of rows where the arg-max of the logits equals the
 * arg-max of the targets (e.g. mixed labels: the dominant class; ties to the lower index).
 */
export const softAccuracy: {
  (targets: tf.Tensor2D): (logits: tf.Tensor2D) => number
  (logits: tf.Tensor2D, targets: tf.Tensor2D): number
} = dual(2, (logits: tf.Tensor2D, targets: tf.Tensor2D): number => {
  const [n] = Validate.batchMatrix("logits", logits)
  Validate.shapeLike("targets", targets, "logits", logits)
  const hits = tf.tidy(() =>
    tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(targets, 1)), "int32")).dataSync(),
  )
  return (hits[0] ?? 0) / n
})

/**
 * Per-class confusion counts of the arg-max predictions against integer labels: a row-major
 * `classes x classes` Int32Array, row = true class, column = predicted class.
 */
export const confusion: {
  (labels: Int32Array): (logits: tf.Tensor2D) => Int32Array
  (logits: tf.Tensor2D, labels: Int32Array): Int32Array
} = dual(2, (logits: tf.Tensor2D, labels: Int32Array): Int32Array => {
  const [, classes] = labelsFor(logits, labels)
  const predicted = predictions(logits)
  const counts = new Int32Array(classes * classes)
  labels.forEach((label, i) => {
    const cell = label * classes + (predicted[i] ?? 0)
    counts[cell] = (counts[cell] ?? 0) + 1
  })
  return counts
})

/** Number of classes of a square confusion matrix; throws `ShapeMismatch` if it is not square. */
export const classesOf = (counts: Int32Array): number => {
  const classes = Math.round(Math.sqrt(counts.length))
  if (classes < 1 || classes * classes !== counts.length)
    throw new ShapeMismatch({
      argument: "counts",
      expected: "classes x classes entries",
      actual: [counts.length],
    })
  return classes
}

/** Element-wise sum of two confusion matrices (to accumulate over batches); a new array. */
export const addConfusion = (a: Int32Array, b: Int32Array): Int32Array => {
  classesOf(a)
  if (b.length !== a.length)
    throw new ShapeMismatch({ argument: "b", expected: `${a.length} entries like a`, actual: [b.length] })
  return a.map((count, i) => count + (b[i] ?? 0))
}

/** Per-class error `1 - diagonal / row sum` (NaN for a class with no examples). */
export const perClassError = (counts: Int32Array): Float64Array => {
  const classes = classesOf(counts)
  const errors = new Float64Array(classes)
  for (let c = 0; c < classes; c++) {
    const row = counts.subarray(c * classes, (c + 1) * classes)
    const total = row.reduce((sum, v) => sum + v, 0)
    errors[c] = total === 0 ? Number.NaN : 1 - (row[c] ?? 0) / total
  }
  return errors
}
