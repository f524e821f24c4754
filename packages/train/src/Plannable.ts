/** Whether a strategy can be planned before a run starts (shared by `Run.train` and `Fit`). */
import { Strategy } from "@vicinal/core"
import { Effect, Exit, Option } from "effect"
import { InvalidArgument } from "./Errors.ts"

/** `problem` reported as a field of the `strategy` option (`alpha` -> `strategy.alpha`). */
const underStrategy = (problem: InvalidArgument): InvalidArgument =>
  new InvalidArgument({
    argument:
      problem.argument === ""
        ? "strategy"
        : `strategy${problem.argument.startsWith("[") ? "" : "."}${problem.argument}`,
    value: problem.value,
    expected: problem.expected,
    ...(problem.fix === undefined ? {} : { fix: problem.fix }),
    ...(problem.source === undefined ? {} : { source: problem.source }),
  })

/**
 * Why `strategy` cannot be planned, if it cannot: a parameter out of its domain, or a
 * `Strategy.custom` naming a mixer that `mixers` does not register (the refusal names it and
 * lists the registered ones). Its argument is the field under `strategy` (`strategy.name`).
 */
export const strategyProblem = (
  strategy: Strategy.Strategy,
  mixers: Strategy.Mixers = {},
): InvalidArgument | undefined => {
  const problem =
    Strategy.validate(strategy) ??
    Exit.findErrorOption(
      Effect.runSyncExit(
        Strategy.fromConfig(Strategy.toConfig(strategy)).pipe(
          Effect.provideService(Strategy.CustomMixers, mixers),
        ),
      ),
    ).pipe(Option.getOrUndefined)
  return problem === undefined ? undefined : underStrategy(problem)
}
