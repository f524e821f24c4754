/**
 * The losses in tfjs' `(yTrue, yPred)` order, per example (`[n]`, what `model.compile({ loss })`
 * expects: tfjs averages it), for a model whose output is LOGITS:
 * `model.compile({ optimizer, loss: Compile.softCrossEntropy })`.
 *
 * With mixed batches from a vicinal source, `softCrossEntropy` on the mixed targets equals the
 * mixup paper's interpolated loss `lambda CE(y_i) + (1 - lambda) CE(y_j)` for one mixer (mixup,
 * CutMix, FMix, ...; cross-entropy is linear in the target) and is the right loss for a chain of
 * mixers, where no single `lambda` exists (`Losses.mixedCrossEntropy` refuses those). tfjs' own
 * `categoricalCrossentropy` computes the same value from a model ending in a softmax.
 */
import type * as tf from "@tensorflow/tfjs-core"
import * as Losses from "./Losses.ts"

type Loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor

/** `Losses.softCrossEntropy(yPred, yTrue)` per example. */
export const softCrossEntropy: Loss = (yTrue, yPred) =>
  Losses.softCrossEntropy(yPred as tf.Tensor2D, yTrue as tf.Tensor2D, { reduction: "none" })

/** `Losses.klDivergence(yPred, yTrue)` per example. */
export const klDivergence: Loss = (yTrue, yPred) =>
  Losses.klDivergence(yPred as tf.Tensor2D, yTrue as tf.Tensor2D, { reduction: "none" })

/** `Losses.labelSmoothingCrossEntropy` with this `epsilon`, per example. */
export const labelSmoothingCrossEntropy =
  (epsilon: number): Loss =>
  (yTrue, yPred) =>
    Losses.labelSmoothingCrossEntropy(yPred as tf.Tensor2D, yTrue as tf.Tensor2D, {
      epsilon,
      reduction: "none",
    })
