export * from "./LossError.ts"
export * as Losses from "./Losses.ts"
export * as Metrics from "./Metrics.ts"
export * as Reduction from "./Reduction.ts"
