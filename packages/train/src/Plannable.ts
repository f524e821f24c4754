/** Whether a strategy can be planned before a run starts (shared by `Run.train` and `Fit`). */
import { Strategy } from "@vicinal/core"
import { Effect, Exit, Option } from "effect"

/**
 * Why `strategy` cannot be planned, if it cannot: a parameter out of its domain, or a
 * `Strategy.custom` naming a mixer that `mixers` does not register (the refusal names it and
 * lists the registered ones).
 */
export const strategyProblem = (
  strategy: Strategy.Strategy,
  mixers: Strategy.Mixers = {},
): Error | undefined =>
  Strategy.validate(strategy) ??
  Exit.findErrorOption(
    Effect.runSyncExit(
      Strategy.fromConfig(Strategy.toConfig(strategy)).pipe(
        Effect.provideService(Strategy.CustomMixers, mixers),
      ),
    ),
  ).pipe(Option.getOrUndefined)
