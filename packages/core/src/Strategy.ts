/**
 * The VRM strategy algebra. A strategy is a plain, serialisable value; constructors build
 * leaves (ERM, mixup, CutMix, ResizeMix, FMix, mixing images, label smoothing, Gaussian noise) and combinators
 * (`withProbability`, `oneOf`, `chain`, `schedule`, `manifold`) take strategies and return one,
 * so users compose their own without new classes.
 *
 * `plan` draws every random choice as data, `execute` runs a plan on tensors (any tensor x,
 * e.g. hidden activations), `Host.execute` on typed arrays, and `apply` does both inside Effect
 * with the run's `Random` service. Constructors never throw: parameters are validated by
 * `validate`, which `plan` (throws the tagged error) and `apply` (error channel) call.
 * Also user-defined strategies (`defineMixer`) and timm's switch (`mixupCutmix`).
 *
 * One module per concern, under `strategy/`: the types (`Algebra`), the smart constructors, user
 * mixers (`Custom`), validation, planning, `apply`, and the Schema (`Config`); this module is the
 * public surface, `Strategy.*`.
 */

export type {
  Draw,
  Granularity,
  Mixer,
  Mixers,
  PlanInput,
  Segment,
  StepContext,
  Strategy,
  Weighted,
} from "./strategy/Algebra.ts"
export { apply, applyTo, argmaxRows, planForShape, validateBatch, validateTargets } from "./strategy/Apply.ts"
export { Config, fromConfig, PairingConfig, SamplerConfig, toConfig } from "./strategy/Config.ts"
export {
  type CutMixOptions,
  chain,
  custom,
  cutmix,
  defineMixer,
  erm,
  fmix,
  gaussianNoise,
  type ImageOptions,
  labelSmoothing,
  type MixOptions,
  manifold,
  mixImages,
  mixup,
  mixupCutmix,
  oneOf,
  resizeMix,
  schedule,
  until,
  withProbability,
} from "./strategy/Constructors.ts"
export { CustomMixers } from "./strategy/Custom.ts"
export { execute, executeHost, plan } from "./strategy/Planner.ts"
export { children, needs, validate } from "./strategy/Validate.ts"
