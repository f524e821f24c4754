/** User-defined strategies resolved by name: the registry reference and the checked parameters. */
import { Context, Exit, Schema } from "effect"
import { InvalidArgument } from "../Errors.ts"
import * as SchemaPath from "../SchemaPath.ts"
import type { Mixer, Mixers } from "./Algebra.ts"

/**
 * The user mixers `apply` and `fromConfig` can use, as an Effect reference (empty by default):
 * `Effect.provideService(Strategy.CustomMixers, saliencyMix.mixers)`.
 */
export const CustomMixers: Context.Reference<Mixers> = Context.Reference<Mixers>(
  "@vicinal/core/Strategy/CustomMixers",
  {
    defaultValue: () => ({}),
  },
)

export const mixerOf = (strategy: { readonly name: string }, mixers: Mixers, argument: string): Mixer => {
  const mixer = Object.hasOwn(mixers, strategy.name) ? mixers[strategy.name] : undefined
  if (mixer === undefined)
    throw new InvalidArgument({
      argument,
      value: strategy.name,
      expected: `must name a registered mixer (known: ${Object.keys(mixers).join(", ") || "none"})`,
      fix: "register it with Strategy.defineMixer",
    })
  return mixer
}

/**
 * The decoded parameters of a user strategy, or the first bad field as `InvalidArgument` (thrown),
 * its argument the field's path under `path` (the params' own name where it is reported).
 */
export const customParams = (strategy: { readonly params: unknown }, mixer: Mixer, path: string) => {
  const decoded = Schema.decodeUnknownExit(mixer.params)(strategy.params)
  if (Exit.isSuccess(decoded)) return decoded.value
  const issue = Exit.findErrorOption(decoded)
  const first =
    issue._tag === "Some"
      ? SchemaPath.firstIssue(issue.value.issue, strategy.params)
      : { field: "", value: strategy.params, message: "invalid" }
  throw new InvalidArgument({
    argument: first.field === "" ? path : `${path}.${first.field}`,
    value: first.value,
    expected: first.message ?? "invalid",
  })
}
