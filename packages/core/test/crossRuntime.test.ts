/**
 * The same seed draws the same bits on Bun and on Deno: this file's runtime computes the
 * digests of test/fixtures/draws.ts and runs that file under the other runtime to compare.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { fileURLToPath } from "node:url"
import { runOnOtherRuntime, runtimes } from "../../../scripts/other-runtime.ts"
import { digests } from "./fixtures/draws.ts"

test(`the same seed draws the same bits on ${runtimes.join(" and ")}`, () => {
  const theirs = runOnOtherRuntime(fileURLToPath(new URL("./fixtures/draws.ts", import.meta.url))) as Record<
    string,
    string
  >
  const ours = digests()
  assert.deepEqual(Object.keys(theirs), Object.keys(ours))
  for (const key of Object.keys(ours))
    assert.equal(theirs[key], ours[key], `${key} differs between the runtimes`)
})
