// Recipe: a strategy stored as JSON, decoded with a typed error, and encoded back.
import { Strategy } from "@vicinal/core"
import { Effect } from "effect"

const json = `{
  "_tag": "Chain",
  "strategies": [
    { "_tag": "Mixup", "lambda": { "_tag": "Beta", "a": 0.4, "b": 0.4 }, "pairing": { "_tag": "RandomPermutation" }, "granularity": "batch", "labels": "interpolate" },
    { "_tag": "LabelSmoothing", "epsilon": 0.1 }
  ]
}`

const strategy = await Effect.runPromise(Strategy.fromConfig(JSON.parse(json)))
console.log("decoded:", strategy._tag)
const same = JSON.stringify(Strategy.toConfig(strategy)) === JSON.stringify(JSON.parse(json))
console.log(`round trip: ${same ? "identical" : "different"}`)

// A malformed config fails in the error channel with InvalidArgument, naming the field.
const broken = { _tag: "LabelSmoothing", epsilon: 2 }
const result = await Effect.runPromise(Effect.result(Strategy.fromConfig(broken)))
console.log(
  result._tag === "Failure" ? `rejected: ${result.failure._tag}: ${result.failure.message}` : "accepted?!",
)
