/**
 * FGSM, I-FGSM (BIM) and PGD as one code path over a plain attack value.
 *
 * An attack is a serialisable record; FGSM is one full step of size epsilon from the clean
 * input, I-FGSM is `steps` small steps, PGD adds a random start inside the ball and restarts
 * (keeping, per example, the worst case found). Every iterate, the first one included, is
 * projected onto the epsilon ball around the clean input and then clipped to the input range.
 *
 * The model is any differentiable `(x) => logits` function (logits, not probabilities), in
 * inference mode: the gradient of the summed per-example loss is taken with respect to x.
 */

import * as tf from "@tensorflow/tfjs-core"
import "./Gradients.ts"
import { Random } from "@vicinal/core"
import { Effect } from "effect"
import { dual } from "effect/Function"
import { type AttackError, fromSync, InvalidArgument, ShapeMismatch } from "./Errors.ts"
import * as Norm from "./Norm.ts"
import * as Objective from "./Objective.ts"
import * as Range from "./Range.ts"
import * as Target from "./Target.ts"
import * as TopK from "./TopK.ts"

/** A classifier as the attack sees it: inputs `[n, ...features]` to logits `[n, classes]`. */
export type Model = (x: tf.Tensor) => tf.Tensor

export type Kind = "fgsm" | "ifgsm" | "pgd"

export interface Attack {
  readonly kind: Kind
  /** The column name in reports ("FGSM", "I-FGSM", "PGD" unless renamed). */
  readonly name: string
  readonly norm: Norm.Norm
  /** Radius of the ball, on the scale of the inputs as given (e.g. 4/255 for pixels in [0, 1]). */
  readonly epsilon: number
  readonly stepSize: number
  readonly steps: number
  readonly randomStart: boolean
  readonly restarts: number
}

const defaultStep = (kind: Kind, epsilon: number, steps: number): number =>
  kind === "fgsm" ? epsilon : kind === "ifgsm" ? epsilon / steps : Math.min(epsilon, (2.5 * epsilon) / steps)

interface Settings {
  readonly epsilon: number
  readonly norm?: Norm.Norm
  readonly steps?: number
  readonly stepSize?: number
  readonly restarts?: number
  readonly randomStart?: boolean
}

// One record for all three: they differ only in their defaults.
const make = (kind: Kind, name: string, settings: Settings): Attack => {
  const steps = settings.steps ?? (kind === "fgsm" ? 1 : 10)
  return {
    kind,
    name,
    norm: settings.norm ?? "linf",
    epsilon: settings.epsilon,
    stepSize: settings.stepSize ?? defaultStep(kind, settings.epsilon, steps),
    steps,
    randomStart: settings.randomStart ?? kind === "pgd",
    restarts: settings.restarts ?? 1,
  }
}

/** Fast gradient sign method (Goodfellow et al.): x + epsilon * sign(grad) (L2: the normalised gradient). */
export const fgsm = (options: { readonly epsilon: number; readonly norm?: Norm.Norm }): Attack =>
  make("fgsm", "FGSM", {
    epsilon: options.epsilon,
    ...(options.norm === undefined ? {} : { norm: options.norm }),
  })

/** Iterative FGSM / BIM (Kurakin et al.): `steps` (10) steps of `stepSize` (epsilon / steps) from x. */
export const ifgsm = (options: Pick<Settings, "epsilon" | "steps" | "stepSize" | "norm">): Attack =>
  make("ifgsm", "I-FGSM", { ...options, randomStart: false, restarts: 1 })

/** The Basic Iterative Method is I-FGSM under its other name. */
export const bim = ifgsm

/**
 * Projected gradient descent (Madry et al.): a uniform random start inside the ball, `steps`
 * (10) steps of `stepSize` (min(epsilon, 2.5 epsilon / steps)), `restarts` (1) independent runs.
 */
export const pgd = (options: Settings): Attack => make("pgd", "PGD", options)

/** The same attack at another radius; the step size keeps its ratio to epsilon. */
export const withEpsilon: {
  (epsilon: number): (self: Attack) => Attack
  (self: Attack, epsilon: number): Attack
} = dual(
  2,
  (self: Attack, epsilon: number): Attack => ({
    ...self,
    epsilon,
    stepSize:
      self.epsilon > 0
        ? (self.stepSize * epsilon) / self.epsilon
        : defaultStep(self.kind, epsilon, self.steps),
  }),
)

/** The same attack under another column name (e.g. "I-FGSM (20 steps)"). */
export const named: {
  (name: string): (self: Attack) => Attack
  (self: Attack, name: string): Attack
} = dual(2, (self: Attack, name: string): Attack => ({ ...self, name }))

/** The first thing wrong with an attack's settings, if any. */
export const check = (attack: Attack): InvalidArgument | undefined => {
  const bad = (argument: string, value: unknown, expected: string) =>
    new InvalidArgument({ argument, value, expected })
  if (!Number.isFinite(attack.epsilon) || attack.epsilon < 0)
    return bad("epsilon", attack.epsilon, "must be a finite number >= 0")
  if (!Norm.norms.includes(attack.norm))
    return bad("norm", attack.norm, `must be one of ${Norm.norms.join(", ")}`)
  if (!Number.isInteger(attack.steps) || attack.steps < 1)
    return bad("steps", attack.steps, "must be an integer >= 1")
  if (!Number.isInteger(attack.restarts) || attack.restarts < 1)
    return bad("restarts", attack.restarts, "must be an integer >= 1")
  if (!Number.isFinite(attack.stepSize) || attack.stepSize < 0)
    return bad("stepSize", attack.stepSize, "must be a finite number >= 0")
  // A step longer than the radius is projected back at once: it only hides a wrong scale.
  if (attack.stepSize > attack.epsilon)
    return bad("stepSize", attack.stepSize, `must not exceed epsilon (${attack.epsilon})`)
  if (attack.restarts > 1 && !attack.randomStart)
    return bad("restarts", attack.restarts, "needs randomStart (without it every restart is the same run)")
  return undefined
}

/**
 * An epsilon on the wrong scale for the range (e.g. 8 meant as 8/255 for pixels in [0, 1]).
 * L-inf: beyond the widest span `max - min` the ball holds the whole range, so the "attack"
 * is unconstrained. L2: beyond the diameter of the range's box (needs the shape of x) the
 * same holds. That L2 bound is loose (sqrt(784) = 28 for MNIST in [0, 1]), but no meaningful
 * radius exceeds it; any tighter bound would reject radii someone may mean.
 */
export const checkScale = (
  attack: Attack,
  range: Range.InputRange,
  shape?: ReadonlyArray<number>,
): InvalidArgument | undefined => {
  if (attack.norm === "linf") {
    const widest = Range.widest(range)
    if (attack.epsilon > widest)
      return new InvalidArgument({
        argument: "epsilon",
        value: attack.epsilon,
        expected: `must not exceed the widest span of the range (max - min = ${widest})`,
        fix: "epsilon is on the scale of the inputs as given, e.g. 4/255 (not 4) for pixels in [0, 1] as in the paper",
      })
  } else if (shape !== undefined) {
    const diameter = Range.diameter(range, shape)
    if (attack.epsilon > diameter)
      return new InvalidArgument({
        argument: "epsilon",
        value: attack.epsilon,
        expected: `must not exceed the L2 diameter of the range for inputs of shape [${shape.join(", ")}] (${diameter})`,
        fix: "epsilon is on the scale of the inputs as given (pixels in [0, 1], not 0-255)",
      })
  }
  return undefined
}

// A softmax output passes every shape check, but the loss (logSoftmax of it) is then nearly
// flat and the attack silently looks weak.
const PROBABILITY_TOLERANCE = 1e-4

/** Every row non-negative and summing to 1 (within 1e-4): a softmax output, not logits. */
export const looksLikeProbabilities = (data: ArrayLike<number>, classes: number): boolean => {
  if (classes < 1 || data.length === 0) return false
  for (let r = 0; r < data.length; r += classes) {
    let sum = 0
    for (let c = 0; c < classes; c++) {
      const v = data[r + c] as number
      if (!(v >= 0)) return false
      sum += v
    }
    if (!(Math.abs(sum - 1) <= PROBABILITY_TOLERANCE)) return false
  }
  return true
}

export interface Options {
  /** The valid input range; inputs must lie in it, and every iterate is clipped to it. */
  readonly range: Range.InputRange
  /** True labels. Absent: the model's own clean predictions are used (no label leaking). */
  readonly labels?: Int32Array | undefined
  readonly target?: Target.Target | undefined
}

export interface Adversarial {
  /** The adversarial inputs, same shape as x. The caller disposes them. */
  readonly x: tf.Tensor
  /** The labels the attack moved away from (given, or the model's clean predictions). */
  readonly labels: Int32Array
  readonly labelsSource: "given" | "predicted"
  /** The classes a targeted attack moved towards; absent when untargeted. */
  readonly targets?: Int32Array
  /** The attacked model's top-1 class on the clean inputs. */
  readonly cleanPredictions: Int32Array
}

const throwIf = (error: AttackError | undefined): void => {
  if (error !== undefined) throw error
}

/** Throws unless `classes` holds `n` class indices in [0, numClasses). */
export const checkClasses = (argument: string, classes: Int32Array, n: number, numClasses: number): void => {
  if (classes.length !== n)
    throw new ShapeMismatch({ argument, expected: `shape [${n}]`, actual: [classes.length] })
  const bad = classes.findIndex((c) => c < 0 || c >= numClasses)
  if (bad >= 0)
    throw new InvalidArgument({
      argument: `${argument}[${bad}]`,
      value: classes[bad],
      expected: `must be a class index in [0, ${numClasses})`,
    })
}

/** Forward pass with its output shape checked (THROWS ShapeMismatch): logits `[n, classes]` on the host. */
export const logitsOf = (
  model: Model,
  x: tf.Tensor,
): { readonly data: Float32Array; readonly classes: number } => {
  const logits = tf.tidy(() => model(x))
  try {
    const n = x.shape[0] ?? 0
    if (logits.rank !== 2 || logits.shape[0] !== n)
      throw new ShapeMismatch({
        argument: "model(x)",
        expected: `shape [${n}, classes] (logits)`,
        actual: logits.shape,
      })
    return { data: logits.dataSync() as Float32Array, classes: logits.shape[1] ?? 0 }
  } finally {
    logits.dispose()
  }
}

// One iterate: ascend, project onto the ball around x, clip to the range.
const step = (
  attack: Attack,
  gradient: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  current: tf.Tensor,
  range: Range.InputRange,
): tf.Tensor =>
  tf.tidy(() => {
    const moved = tf.add(current, tf.mul(Norm.direction(gradient(current), attack.norm), attack.stepSize))
    return Range.clip(tf.add(x, Norm.project(tf.sub(moved, x), attack.norm, attack.epsilon)), range)
  })

const start = (
  attack: Attack,
  x: tf.Tensor,
  range: Range.InputRange,
  rng: Random.Rng | undefined,
): tf.Tensor => {
  if (!attack.randomStart || rng === undefined) return tf.clone(x)
  const n = x.shape[0] ?? 0
  const noise = Norm.sampleBall(attack.norm, attack.epsilon, n, x.size / Math.max(n, 1), rng)
  return tf.tidy(() =>
    Range.clip(tf.add(x, Norm.project(tf.tensor(noise, x.shape), attack.norm, attack.epsilon)), range),
  )
}

/**
 * Adversarial examples for `x` against `model`. Synchronous, for hot paths: validates first
 * and THROWS the tagged `AttackError` (InvalidArgument | ShapeMismatch).
 * `rng` is needed only by attacks with a random start. Leaves no tensors behind but the result.
 */
export const perturbSync = (
  attack: Attack,
  model: Model,
  x: tf.Tensor,
  options: Options,
  rng?: Random.Rng,
): Adversarial => {
  if (x.rank < 2)
    throw new ShapeMismatch({ argument: "x", expected: "shape [n, ...features]", actual: x.shape })
  throwIf(check(attack))
  throwIf(Range.check(options.range, x.shape))
  throwIf(checkScale(attack, options.range, x.shape))
  if (attack.randomStart && rng === undefined)
    throw new InvalidArgument({
      argument: "rng",
      value: rng,
      expected: "must be given: an attack with a random start draws from it",
    })
  throwIf(Range.findOutside("x", x.dataSync(), x.shape, options.range))
  const n = x.shape[0] ?? 0
  const clean = logitsOf(model, x)
  if (looksLikeProbabilities(clean.data, clean.classes))
    throw new InvalidArgument({
      argument: "model(x)",
      value: Array.from(clean.data.subarray(0, clean.classes)),
      expected:
        "must be logits, not probabilities (every row here is non-negative and sums to 1): the loss applies logSoftmax itself",
      fix: "drop the model's final softmax",
    })
  const cleanPredictions = TopK.argMax(clean.data, clean.classes)
  if (options.labels !== undefined) checkClasses("labels", options.labels, n, clean.classes)
  const labels = options.labels ?? cleanPredictions
  const target = options.target ?? Target.untargeted
  if (target._tag === "Given") checkClasses("target.classes", target.classes, n, clean.classes)
  const aim: Objective.Aim =
    target._tag === "Untargeted"
      ? { _tag: "Untargeted", labels }
      : {
          _tag: "Targeted",
          targets: target._tag === "Given" ? target.classes : TopK.argMin(clean.data, clean.classes),
        }
  // The 0 * sum(x) term ties the loss to x even when the model ignores its input (a constant
  // surrogate): tf.grad then returns a zero gradient instead of throwing.
  const gradient = tf.grad((input: tf.Tensor) =>
    tf.add(tf.sum(Objective.objective(model(input), aim)), tf.mul(0, tf.sum(input))),
  )
  const run = (): tf.Tensor => {
    let current = start(attack, x, options.range, rng)
    for (let s = 0; s < attack.steps; s++) {
      const next = step(attack, gradient, x, current, options.range)
      current.dispose()
      current = next
    }
    return current
  }
  let best = run()
  if (attack.restarts > 1) {
    // Per example, keep the run that reached its aim, else the one with the higher objective.
    const score = (candidate: tf.Tensor) => {
      const logits = tf.tidy(() => model(candidate))
      const objective = tf.tidy(() => Objective.objective(logits, aim))
      const result = {
        value: objective.dataSync() as Float32Array,
        reached: Objective.reached(TopK.argMax(logits.dataSync(), clean.classes), aim),
      }
      tf.dispose([logits, objective])
      return result
    }
    let bestScore = score(best)
    for (let r = 1; r < attack.restarts; r++) {
      const candidate = run()
      const candidateScore = score(candidate)
      const better = Uint8Array.from(bestScore.value, (v, i) => {
        const was = bestScore.reached[i] as number
        const now = candidateScore.reached[i] as number
        return Number(now > was || (now === was && (candidateScore.value[i] as number) > v))
      })
      const merged = tf.tidy(() =>
        tf.where(tf.broadcastTo(Norm.perRow(tf.tensor1d(better, "bool"), x), x.shape), candidate, best),
      )
      bestScore = {
        value: Float32Array.from(bestScore.value, (v, i) =>
          better[i] ? (candidateScore.value[i] as number) : v,
        ),
        reached: Uint8Array.from(bestScore.reached, (v, i) =>
          better[i] ? (candidateScore.reached[i] as number) : v,
        ),
      }
      tf.dispose([best, candidate])
      best = merged
    }
  }
  return {
    x: best,
    labels,
    labelsSource: options.labels === undefined ? "predicted" : "given",
    ...(aim._tag === "Targeted" ? { targets: aim.targets } : {}),
    cleanPredictions,
  }
}

/** `perturbSync` as an Effect: errors in the error channel, the random start drawn from `Random`. */
export const perturb = (
  attack: Attack,
  model: Model,
  x: tf.Tensor,
  options: Options,
): Effect.Effect<Adversarial, AttackError, Random.Random> =>
  Effect.flatMap(Random.rng, (rng) => fromSync(() => perturbSync(attack, model, x, options, rng)))
