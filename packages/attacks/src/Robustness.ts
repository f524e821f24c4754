/**
 * Robust top-1 / top-k error of a model under attacks, over one batch or a stream of batches.
 *
 * White box: the examples are crafted on the evaluated model. Black box (transfer): they are
 * crafted on a `surrogate` and evaluated on the model. Errors are always measured against the
 * true labels of the batch; the attacker crafts with those labels ("given") or with its own
 * model's predictions ("predicted", no label leaking).
 */

import * as tf from "@tensorflow/tfjs-core"
import { Random } from "@vicinal/core"
import { Effect, Stream } from "effect"
import { dual } from "effect/Function"
import * as Attack from "./Attack.ts"
import { type AttackError, fromSync, InvalidArgument, ShapeMismatch } from "./Errors.ts"
import * as Objective from "./Objective.ts"
import type * as Range from "./Range.ts"
import * as Report from "./Report.ts"
import * as Target from "./Target.ts"
import * as TopK from "./TopK.ts"

export interface Config {
  /** The model under evaluation: `(x) => logits`, in inference mode. */
  readonly model: Attack.Model
  /** Craft on this model instead (black box / transfer). Absent: white box. */
  readonly surrogate?: Attack.Model | undefined
  readonly attacks: ReadonlyArray<Attack.Attack>
  readonly range: Range.InputRange
  /** Labels the attacker crafts with: the batch's ("given", default) or its model's predictions. */
  readonly labels?: "given" | "predicted" | undefined
  readonly target?: "untargeted" | "least-likely" | undefined
  /** The k of top-k error (default 5). */
  readonly k?: number | undefined
}

/** One batch on the device with its true labels (the caller owns `x`). */
export interface LabelledBatch {
  readonly x: tf.Tensor
  readonly labels: Int32Array
}

/** One batch in host memory, as `@vicinal/data` streams them (`HostBatch` fits). */
export interface HostLabelledBatch {
  readonly x: Float32Array
  readonly shape: ReadonlyArray<number>
  readonly labels: Int32Array
}

const kOf = (config: Config): number => config.k ?? 5

const checkConfig = (config: Config): void => {
  const k = kOf(config)
  if (!Number.isInteger(k) || k < 1)
    throw new InvalidArgument({ argument: "k", value: k, expected: "must be an integer >= 1" })
  if (config.attacks.length === 0)
    throw new InvalidArgument({ argument: "attacks", value: [], expected: "must name at least one attack" })
  // Every attack up front: an empty stream would otherwise yield NaN reports for a bad epsilon,
  // and a bad last attack would fail only after the others ran. The L2 scale needs the shape
  // of x and is checked per batch by perturbSync.
  config.attacks.forEach((attack, a) => {
    const error = Attack.check(attack) ?? Attack.checkScale(attack, config.range)
    if (error !== undefined)
      throw new InvalidArgument({
        argument: `attacks[${a}].${error.argument}`,
        value: error.value,
        expected: error.expected,
        ...(error.fix === undefined ? {} : { fix: error.fix }),
      })
  })
}

// Ranks of the true labels under `model`, on the host.
const ranks = (model: Attack.Model, x: tf.Tensor, labels: Int32Array) => {
  const { data, classes } = Attack.logitsOf(model, x)
  Attack.checkClasses("labels", labels, x.shape[0] ?? 0, classes)
  return { ranks: TopK.rankOf(data, classes, labels), top1: TopK.argMax(data, classes) }
}

/**
 * Per attack, the counts of one batch. Synchronous: THROWS `AttackError`s. `rng` is needed
 * by attacks with a random start. Leaves no tensors behind.
 */
export const batchSync = (
  config: Config,
  batch: LabelledBatch,
  rng?: Random.Rng,
): ReadonlyArray<Report.Counts> => {
  checkConfig(config)
  const k = kOf(config)
  const clean = ranks(config.model, batch.x, batch.labels)
  const crafter = config.surrogate ?? config.model
  return config.attacks.map((attack) => {
    const adversarial = Attack.perturbSync(
      attack,
      crafter,
      batch.x,
      {
        range: config.range,
        labels: (config.labels ?? "given") === "given" ? batch.labels : undefined,
        target: config.target === "least-likely" ? Target.leastLikely : Target.untargeted,
      },
      rng,
    )
    try {
      const after = ranks(config.model, adversarial.x, batch.labels)
      const aim: Objective.Aim =
        adversarial.targets === undefined
          ? { _tag: "Untargeted", labels: batch.labels }
          : { _tag: "Targeted", targets: adversarial.targets }
      const reached = Objective.reached(after.top1, aim)
      return {
        examples: batch.labels.length,
        alreadyMisclassified: TopK.errors(clean.ranks, 1),
        cleanTopKErrors: TopK.errors(clean.ranks, k),
        adversarialTop1Errors: TopK.errors(after.ranks, 1),
        adversarialTopKErrors: TopK.errors(after.ranks, k),
        successes: clean.ranks.reduce((n, rank, i) => n + (rank === 0 && reached[i] === 1 ? 1 : 0), 0),
      }
    } finally {
      adversarial.x.dispose()
    }
  })
}

/** Reports (one per attack, in order) from per-batch counts. */
export const reports = (
  config: Config,
  batches: ReadonlyArray<ReadonlyArray<Report.Counts>>,
): ReadonlyArray<Report.Report> =>
  config.attacks.map((attack, a) => {
    const perBatch = batches.map((counts) => counts[a] ?? Report.zero)
    return {
      attack: attack.name,
      kind: attack.kind,
      norm: attack.norm,
      epsilon: attack.epsilon,
      stepSize: attack.stepSize,
      steps: attack.steps,
      restarts: attack.restarts,
      randomStart: attack.randomStart,
      mode: config.surrogate === undefined ? "white-box" : "black-box",
      labelsSource: config.labels ?? "given",
      target: config.target ?? "untargeted",
      k: kOf(config),
      totals: Report.sum(perBatch),
      batches: perBatch,
    }
  })

/** One batch of tensors, as reports (one per attack); randomness from `Random`. */
export const batch = (
  config: Config,
  labelled: LabelledBatch,
): Effect.Effect<ReadonlyArray<Report.Report>, AttackError, Random.Random> =>
  Effect.flatMap(Random.rng, (rng) => fromSync(() => reports(config, [batchSync(config, labelled, rng)])))

const hostBatch = (
  config: Config,
  host: HostLabelledBatch,
  rng: Random.Rng,
): ReadonlyArray<Report.Counts> => {
  const size = host.shape.reduce((a, b) => a * b, 1)
  if (size !== host.x.length)
    throw new ShapeMismatch({
      argument: "batch.x",
      expected: `${size} values for shape [${host.shape.join(", ")}]`,
      actual: [host.x.length],
    })
  const x = tf.tensor(host.x, [...host.shape])
  try {
    return batchSync(config, { x, labels: host.labels }, rng)
  } finally {
    x.dispose()
  }
}

/**
 * Reports (one per attack) over a whole stream of host batches: counts per batch and totals.
 * Batches are moved to the device one at a time and released after use.
 */
export const stream: {
  (
    config: Config,
  ): <E, R>(
    self: Stream.Stream<HostLabelledBatch, E, R>,
  ) => Effect.Effect<ReadonlyArray<Report.Report>, AttackError | E, R | Random.Random>
  <E, R>(
    self: Stream.Stream<HostLabelledBatch, E, R>,
    config: Config,
  ): Effect.Effect<ReadonlyArray<Report.Report>, AttackError | E, R | Random.Random>
} = dual(2, <E, R>(self: Stream.Stream<HostLabelledBatch, E, R>, config: Config) =>
  Effect.gen(function* () {
    const rng = yield* Random.rng
    yield* fromSync(() => checkConfig(config))
    // The accumulator is private to this fold, so appending in place is safe (and linear).
    const batches = yield* Stream.runFoldEffect(
      self,
      (): Array<ReadonlyArray<Report.Counts>> => [],
      (done, host) =>
        Effect.map(
          fromSync(() => hostBatch(config, host, rng)),
          (counts) => {
            done.push(counts)
            return done
          },
        ),
    )
    return reports(config, batches)
  }),
)
