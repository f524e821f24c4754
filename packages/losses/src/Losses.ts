/**
 * Losses for soft targets, all computed from LOGITS (never probabilities) with a stable
 * log-softmax / log-sigmoid, so logits of magnitude 1e4 give finite values and gradients.
 *
 * Every loss is plain synchronous tfjs inside `tf.tidy` (safe inside `tf.grad` and
 * `optimizer.minimize`); it validates its inputs first and throws a tagged `LossError`
 * naming the argument. It never mutates or disposes its inputs; the caller disposes the result.
 *
 * Targets are rows of a probability distribution `[n, classes]` (one-hot, smoothed or mixed);
 * that rows sum to 1 is the caller's contract and is not checked (it would cost a download).
 */
import * as tf from "@tensorflow/tfjs-core"
// tfjs-core alone registers no gradients, and its own `dist/register_all_gradients.js` (ES modules with
// extensionless imports) does not load on Deno; the tfjs-layers bundle registers them all on both runtimes.
import "@tensorflow/tfjs-layers"
import { InvalidArgument } from "./Errors.ts"
import { type Reduced, type Reduction, reduce, validate as validateReduction } from "./Reduction.ts"
import * as Validate from "./Validate.ts"

export interface LossOptions<R extends Reduction = "mean"> {
  /** `"mean"` over the batch (default), `"sum"`, or `"none"` for per-example losses. */
  readonly reduction?: R
}

export interface LabelSmoothingOptions<R extends Reduction = "mean"> extends LossOptions<R> {
  /** Mass moved from the targets to the uniform distribution, in [0, 1]. */
  readonly epsilon: number
}

/** What `interpolatedCrossEntropy` needs from core's `MixedBatch` (any `{ lambda, partner }`). */
export interface Mixing {
  /** Per example: weight of the example's own label. */
  readonly lambda: Float32Array | tf.Tensor1D
  /** Per example: index of its partner in the batch. */
  readonly partner: Int32Array | tf.Tensor1D
  /** Steps that mixed the labels (core's `MixedBatch` says); more than one cannot be interpolated. */
  readonly mixingSteps?: number
  /** Steps that changed the labels, smoothing included (core's `MixedBatch` says); must equal `mixingSteps`. */
  readonly labelSteps?: number
}

const reductionOf = <R extends Reduction>(options: LossOptions<R> | undefined): R =>
  validateReduction("options.reduction", options?.reduction ?? "mean") as R

/** Checks a `[n, classes]` logits/targets pair and the reduction option; returns both. */
const checkedPair = <R extends Reduction>(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  options: LossOptions<R> | undefined,
): { readonly n: number; readonly reduction: R } => {
  const [n] = Validate.batchMatrix("logits", logits)
  Validate.shapeLike("targets", targets, "logits", logits)
  return { n, reduction: reductionOf(options) }
}

/** Per-example losses computed and reduced inside one `tf.tidy`. */
const reduced = <T extends tf.Tensor, R extends Reduction>(
  reduction: R,
  perExample: () => T,
): Reduced<T, R> => tf.tidy(() => reduce(perExample(), reduction))

/** -sum_c targets * logSoftmax(logits), per row. */
const crossEntropyRows = (logProbabilities: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor1D =>
  tf.neg(tf.sum(tf.mul(targets, logProbabilities), 1))

/**
 * Cross-entropy against soft targets: `-sum_c t_c log softmax(z)_c` per example.
 * Its minimum over logits is the entropy of the target row, reached at `softmax(z) = t`.
 */
export const softCrossEntropy = <R extends Reduction = "mean">(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  options?: LossOptions<R>,
): Reduced<tf.Tensor1D, R> => {
  const { reduction } = checkedPair(logits, targets, options)
  return reduced(reduction, () => crossEntropyRows(tf.logSoftmax(logits), targets))
}

/**
 * The mixup loss as the reference code computes it:
 * `lambda_i * CE(z_i, y_i) + (1 - lambda_i) * CE(z_i, y_partner(i))`, where `targets` are the
 * UNMIXED labels of the batch and `lambda`, `partner` come from core's `MixedBatch`.
 * Equals `softCrossEntropy(logits, lambda*y + (1-lambda)*y[partner])` (cross-entropy is linear
 * in the target). Tensor `lambda`/`partner` are downloaded once to validate them.
 */
export const interpolatedCrossEntropy = <R extends Reduction = "mean">(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  lambda: Float32Array | tf.Tensor1D,
  partner: Int32Array | tf.Tensor1D,
  options?: LossOptions<R>,
): Reduced<tf.Tensor1D, R> => {
  const { n, reduction } = checkedPair(logits, targets, options)
  Validate.mixingWeights("lambda", lambda, n)
  Validate.indices("partner", partner, n, n)
  return reduced(reduction, () => {
    const logProbabilities = tf.logSoftmax(logits)
    const weights = lambda instanceof Float32Array ? tf.tensor1d(lambda, "float32") : lambda
    const partners = partner instanceof Int32Array ? tf.tensor1d(partner, "int32") : partner
    const own = crossEntropyRows(logProbabilities, targets)
    const other = crossEntropyRows(logProbabilities, tf.gather(targets, partners))
    // both terms are >= 0: no cancellation (other + lambda * (own - other) loses digits for huge logits)
    return tf.add(tf.mul(weights, own), tf.mul(tf.sub(1, weights), other)) as tf.Tensor1D
  })
}

/**
 * `interpolatedCrossEntropy` taking `{ lambda, partner }` as one value, e.g. core's `MixedBatch`.
 * Throws `InvalidArgument` for a batch mixed by a chain of two or more mixers, or whose labels
 * were also smoothed (`labelSteps` > `mixingSteps`, e.g. `chain(mixup, labelSmoothing)`): its soft
 * targets are not one `lambda` between an example and one partner, and the interpolated loss
 * would silently drop the rest (use `softCrossEntropy` on the mixed targets).
 */
export const mixedCrossEntropy = <R extends Reduction = "mean">(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  mixing: Mixing,
  options?: LossOptions<R>,
): Reduced<tf.Tensor1D, R> => {
  if ((mixing.mixingSteps ?? 1) > 1)
    throw new InvalidArgument({
      argument: "mixing.mixingSteps",
      value: mixing.mixingSteps,
      expected: "must be at most 1: a chain of mixers is not one lambda between an example and one partner",
      fix: "use softCrossEntropy on the mixed targets",
    })
  if (mixing.labelSteps !== undefined && mixing.labelSteps > (mixing.mixingSteps ?? 1))
    throw new InvalidArgument({
      argument: "mixing.labelSteps",
      value: mixing.labelSteps,
      expected: `must equal mixingSteps (${mixing.mixingSteps ?? 1}): the targets were also smoothed, which the interpolated loss on the unmixed targets would drop`,
      fix: "use softCrossEntropy on the mixed targets",
    })
  return interpolatedCrossEntropy(logits, targets, mixing.lambda, mixing.partner, options)
}

/**
 * Cross-entropy against smoothed targets `(1 - epsilon) * t + epsilon / classes`,
 * computed as `(1 - epsilon) * CE(t) + epsilon * mean_c(-log softmax(z)_c)` without
 * materialising the smoothed targets.
 */
export const labelSmoothingCrossEntropy = <R extends Reduction = "mean">(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  options: LabelSmoothingOptions<R>,
): Reduced<tf.Tensor1D, R> => {
  const { reduction } = checkedPair(logits, targets, options)
  Validate.inRange("options.epsilon", options.epsilon, 0, 1)
  const epsilon = options.epsilon
  return reduced(reduction, () => {
    const logProbabilities = tf.logSoftmax(logits)
    const onTargets = crossEntropyRows(logProbabilities, targets)
    const onUniform = tf.neg(tf.mean(logProbabilities, 1))
    return tf.add(tf.mul(onTargets, 1 - epsilon), tf.mul(onUniform, epsilon)) as tf.Tensor1D
  })
}

/**
 * Binary cross-entropy of sigmoid(logits) against soft targets in [0, 1], element-wise in the
 * stable form `max(z, 0) - z t + log(1 + exp(-|z|))` (for sigmoid heads and GAN discriminators
 * trained on mixed real/fake labels). Any shape `[n, ...]`; `"none"` returns the element-wise
 * losses (shape of `logits`), `"mean"` averages over all elements.
 */
export const binaryCrossEntropyWithLogits = <R extends Reduction = "mean">(
  logits: tf.Tensor,
  targets: tf.Tensor,
  options?: LossOptions<R>,
): Reduced<tf.Tensor, R> => {
  Validate.batchTensor("logits", logits)
  Validate.shapeLike("targets", targets, "logits", logits)
  return reduced(reductionOf(options), () => {
    const softplusOfMinusAbs = tf.log1p(tf.exp(tf.neg(tf.abs(logits))))
    return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), softplusOfMinusAbs)
  })
}

// Clamp inside the log so that t = 0 gives 0 * log(1e-30) = 0 (0 log 0 = 0) instead of 0 * -inf = NaN;
// for 0 < t < 1e-30 the term is below 1e-28 either way.
const tinyProbability = 1e-30

/**
 * Kullback-Leibler divergence KL(targets || softmax(logits)) = `sum_c t_c (log t_c - log softmax(z)_c)`
 * per example, with `0 log 0 = 0`. Zero exactly when `softmax(z) = t`.
 */
export const klDivergence = <R extends Reduction = "mean">(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  options?: LossOptions<R>,
): Reduced<tf.Tensor1D, R> => {
  const { reduction } = checkedPair(logits, targets, options)
  return reduced(reduction, () => {
    const negativeEntropy = tf.sum(tf.mul(targets, tf.log(tf.maximum(targets, tinyProbability))), 1)
    return tf.add(negativeEntropy, crossEntropyRows(tf.logSoftmax(logits), targets)) as tf.Tensor1D
  })
}
