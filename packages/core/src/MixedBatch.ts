/** The batch types shared by core, losses and train. */
import type * as tf from "@tensorflow/tfjs-core"

/** A batch on the device: inputs and target distributions. */
export interface Batch {
  /** [n, ...features] */
  readonly x: tf.Tensor
  /** [n, classes], rows sum to 1 */
  readonly y: tf.Tensor2D
}

/** What every strategy returns. The caller owns (disposes) `x` and `y`. */
export interface MixedBatch {
  /** Mixed inputs, same shape as the batch's x. */
  readonly x: tf.Tensor
  /** Soft targets, rows sum to 1. */
  readonly y: tf.Tensor2D
  /** Per example: weight of its OWN label in y before smoothing (1 when labels are not mixed). */
  readonly lambda: Float32Array
  /** Per example: weight of its own input in x (1 = unchanged; for CutMix the kept area). */
  readonly inputLambda: Float32Array
  /** Per example: partner index in the batch (its own index when not mixed). */
  readonly partner: Int32Array
  /**
   * How many steps mixed the labels (0 for ERM, 1 for mixup or CutMix, 2 or more for a chain of
   * mixers): `lambda` and `partner` describe only the last, so with 2 or more the interpolated
   * loss cannot stand in for the soft targets (`Losses.mixedCrossEntropy` refuses it).
   */
  readonly mixingSteps: number
  /**
   * How many steps changed the targets: the mixing steps plus any label smoothing, before or after
   * them. The interpolated loss on the batch's own targets equals the loss on `y` only when this
   * equals `mixingSteps` and that is at most 1 (`chain(mixup, labelSmoothing)` gives 1 and 2).
   */
  readonly labelSteps: number
}

/** The typed-array form used by data loaders that mix before upload. */
export interface HostBatch<X extends Float32Array | Uint8Array = Float32Array | Uint8Array> {
  readonly x: X
  /** [n, ...features] */
  readonly shape: ReadonlyArray<number>
  /** n * classes target rows. */
  readonly y: Float32Array
}

export interface MixedHostBatch<X extends Float32Array | Uint8Array = Float32Array | Uint8Array> {
  readonly x: X
  readonly y: Float32Array
  readonly lambda: Float32Array
  readonly inputLambda: Float32Array
  readonly partner: Int32Array
  readonly mixingSteps: number
  readonly labelSteps: number
}
