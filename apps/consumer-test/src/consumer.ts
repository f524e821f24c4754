/**
 * What a user writes against the published types: a custom strategy composed from core's
 * pieces, a loss from losses, a network config from models, a run config for train. The
 * consumer test type-checks it with `tsc --strict` (skipLibCheck false, the default lib).
 */
import type * as tf from "@tensorflow/tfjs-core"
import { Attack } from "@vicinal/attacks"
import { type MixedBatch, Pairing, Strategy } from "@vicinal/core"
import { Synthetic } from "@vicinal/data"
import { Losses } from "@vicinal/losses"
import type { ModelConfig } from "@vicinal/models"
import { RunConfig, type RunEvent } from "@vicinal/train"
import { Charts } from "@vicinal/viz"
import type { Effect } from "effect"

export const strategy: Strategy.Strategy = Strategy.oneOf([
  Strategy.chain(
    Strategy.mixup({ alpha: 0.4, pairing: Pairing.sameClass }),
    Strategy.labelSmoothing({ epsilon: 0.1 }),
  ),
  Strategy.cutmix({ alpha: 1 }),
])

export const lossOf = (logits: tf.Tensor2D, batch: MixedBatch): tf.Scalar =>
  Losses.softCrossEntropy(logits, batch.y as tf.Tensor2D)

export const network: ModelConfig.ModelConfig = { kind: "mlp", inputShape: [2], numClasses: 2, hidden: [16] }

export const decodeRun = (json: unknown): Effect.Effect<RunConfig.RunConfig, unknown> =>
  RunConfig.decode(json)

export const describe = (event: RunEvent): string => event._tag

export const attacks: ReadonlyArray<Attack.Attack> = [Attack.fgsm({ epsilon: 0.1 })]

export const toy: typeof Synthetic = Synthetic

export const chart: typeof Charts = Charts
