import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Effect, Exit, Option } from "effect"
import * as fc from "fast-check"
import * as Options from "../src/Options.ts"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runSyncExit(effect)

describe("Options.numberList", () => {
  test("accepts any comma-separated list of positive integers and returns them in order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 6 }), (xs) => {
        const exit = run(Options.numberList("--hidden", xs.join(","), Options.positiveIntegers))
        assert.ok(Exit.isSuccess(exit))
        assert.deepEqual(exit.value, xs)
      }),
    )
  })

  test("rejects a list with one bad entry, naming the flag and the entry", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4096 }), { maxLength: 4 }),
        fc.constantFrom("0", "-3", "1.5", "x", ""),
        fc.nat(4),
        (xs, bad, at) => {
          const parts = xs.map(String)
          parts.splice(Math.min(at, parts.length), 0, bad)
          const exit = run(Options.numberList("--hidden", parts.join(","), Options.positiveIntegers))
          assert.ok(Exit.isFailure(exit))
          const message = JSON.stringify(exit.cause)
          assert.match(message, /--hidden/)
          assert.match(message, /positive integer/)
        },
      ),
    )
  })

  test("fractions must lie in [0, 1)", () => {
    assert.ok(Exit.isSuccess(run(Options.numberList("--noise", "0.2,0.5,0.8", Options.fractions))))
    assert.ok(Exit.isFailure(run(Options.numberList("--noise", "0.2,1.5", Options.fractions))))
  })
})

describe("Options.outDir", () => {
  test("--out wins; otherwise a timestamped folder named after the experiment", () => {
    const given = run(Options.outDir("quick", Option.some("/x/y"), false))
    assert.ok(Exit.isSuccess(given) && given.value === "/x/y")
    const fresh = run(Options.outDir("quick", Option.none(), false, "results"))
    assert.ok(Exit.isSuccess(fresh))
    assert.match(fresh.value, /^results\/quick-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d$/)
  })
})
