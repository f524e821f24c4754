import assert from "node:assert/strict"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { test } from "node:test"
import { Effect } from "effect"
import { main } from "../examples/quickstart.ts"

test("the README's quickstart trains, logs, checkpoints, and a second call resumes a finished run", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vicinal-quickstart-"))
  const lines: Array<string> = []
  const events = await Effect.runPromise(main(dir, (l) => lines.push(l)))
  const finished = events.at(-1)
  assert.equal(finished?._tag, "RunFinished")
  assert.ok(
    finished?._tag === "RunFinished" && finished.lastTestError < 0.5,
    "better than chance on two moons",
  )
  assert.ok(lines.some((l) => l.startsWith("epoch 3: loss")))
  assert.equal(fs.readdirSync(dir).length, 2)
  const again = await Effect.runPromise(main(dir, () => {}))
  assert.deepEqual(
    again.map((e) => e._tag),
    ["RunStarted", "RunFinished"],
  )
  fs.rmSync(dir, { recursive: true })
})
