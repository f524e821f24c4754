/**
 * Evaluation of a classifier on a whole host dataset, in fixed-order chunks (inference mode:
 * no dropout, batch-norm on its moving statistics). Errors follow the paper: top-1 and top-5
 * error on the test set; on a training set with corrupted labels, the paper's Table 2 columns:
 * "real", the error on the examples whose label was NOT corrupted, and "corrupted", the error on
 * the corrupted ones, each against the label trained with (ERM memorises both: ~0; mixup keeps
 * the corrupted one high). Also the error of all examples against the labels trained on and
 * against the true labels.
 *
 * Synchronous hot-path helper: throws the tagged errors of `@vicinal/models`/`@vicinal/losses`
 * for a dataset that does not fit the classifier; `Run` wraps it.
 */

import * as tf from "@tensorflow/tfjs-core"
import type { DatasetType as Dataset } from "@vicinal/data"
import { Metrics } from "@vicinal/losses"
import type { Classifier } from "@vicinal/models"

export interface Evaluation {
  readonly examples: number
  /** Top-1 / top-5 error against `labels` (the labels trained on). */
  readonly top1Error: number
  readonly top5Error: number
  /** Top-1 error against `trueLabels` (equals `top1Error` when nothing is corrupted). */
  readonly top1ErrorTrue: number
  /** Examples whose label differs from the true one. */
  readonly corrupted: number
  /** Table 2's "real": top-1 error on the examples whose label was not corrupted (NaN when there are none). */
  readonly realError: number
  /** Table 2's "corrupted": top-1 error on the corrupted examples against their corrupted labels (NaN when there are none). */
  readonly corruptedError: number
}

/** Evaluate `classifier` on every example of `dataset`, `batchSize` at a time. Leaves no tensors behind. */
export const evaluate = (
  classifier: Classifier,
  dataset: Pick<Dataset, "x" | "shape" | "labels" | "trueLabels">,
  options: { readonly batchSize?: number } = {},
): Evaluation => {
  const [n = 0, ...features] = dataset.shape
  const width = features.reduce((a, b) => a * b, 1)
  const batchSize = Math.max(1, options.batchSize ?? 500)
  let top1 = 0
  let top5 = 0
  let top1True = 0
  let corrupted = 0
  let corruptedWrong = 0
  let realWrong = 0
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize)
    const labels = dataset.labels.subarray(start, end)
    const trueLabels = dataset.trueLabels.subarray(start, end)
    const logits = tf.tidy(() => {
      const x = tf.tensor(dataset.x.subarray(start * width, end * width), [end - start, ...features])
      return classifier.forward(x, { training: false }) as tf.Tensor2D
    })
    try {
      const ranks = Metrics.ranks(logits, labels)
      const ranksTrue = Metrics.ranks(logits, trueLabels)
      for (let i = 0; i < labels.length; i++) {
        const right = ranks[i]! < 1
        if (right) top1++
        if (ranks[i]! < 5) top5++
        if (ranksTrue[i]! < 1) top1True++
        if (labels[i] !== trueLabels[i]) {
          corrupted++
          if (!right) corruptedWrong++
        } else if (!right) realWrong++
      }
    } finally {
      logits.dispose()
    }
  }
  const rate = (wrong: number, total: number) => (total === 0 ? Number.NaN : wrong / total)
  return {
    examples: n,
    top1Error: rate(n - top1, n),
    top5Error: rate(n - top5, n),
    top1ErrorTrue: rate(n - top1True, n),
    corrupted,
    realError: rate(realWrong, n - corrupted),
    corruptedError: rate(corruptedWrong, corrupted),
  }
}
