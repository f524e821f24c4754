/**
 * What an attack ascends: cross-entropy computed from LOGITS (never from probabilities),
 * away from the true class (untargeted) or towards a target class (targeted: its negative).
 */
import * as tf from "@tensorflow/tfjs-core"

/** Per-example cross-entropy `-log softmax(logits)[label]`, `[n]`. logSoftmax keeps it stable. */
export const crossEntropy = (logits: tf.Tensor, labels: Int32Array): tf.Tensor1D =>
  tf.tidy(() => {
    const classes = logits.shape[1] ?? 1
    const oneHot = tf.oneHot(tf.tensor1d(labels, "int32"), classes)
    return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits as tf.Tensor2D)), 1)) as tf.Tensor1D
  })

/** Whom the attack aims at, per example. */
export type Aim =
  | { readonly _tag: "Untargeted"; readonly labels: Int32Array }
  | { readonly _tag: "Targeted"; readonly targets: Int32Array }

/** The per-example objective to maximise: CE to the label, or minus CE to the target. */
export const objective = (logits: tf.Tensor, aim: Aim): tf.Tensor1D =>
  aim._tag === "Untargeted"
    ? crossEntropy(logits, aim.labels)
    : tf.tidy(() => tf.neg(crossEntropy(logits, aim.targets)) as tf.Tensor1D)

/** Per example: did the attack reach its aim (prediction off the label / onto the target)? */
export const reached = (predictions: Int32Array, aim: Aim): Uint8Array =>
  Uint8Array.from(predictions, (p, i) =>
    aim._tag === "Untargeted" ? Number(p !== aim.labels[i]) : Number(p === aim.targets[i]),
  )
