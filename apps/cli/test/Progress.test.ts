import assert from "node:assert/strict"
import { describe, test } from "node:test"
import type { RunEvent } from "@vicinal/train"
import * as fc from "fast-check"
import * as Progress from "../src/Progress.ts"

const started = (epochs: number): RunEvent =>
  ({
    _tag: "RunStarted",
    backend: { name: "cpu", tfjsBackend: "cpu", simd: false, threads: 1, attempts: [], notTried: [] },
    config: { epochs } as Extract<RunEvent, { _tag: "RunStarted" }>["config"],
    parameters: 10,
    trainExamples: 100,
    testExamples: 10,
  }) as RunEvent

/** The events of a run of `epochs` × `batches`, one batch every `msPerBatch`. */
const events = (epochs: number, batches: number): ReadonlyArray<RunEvent> => [
  started(epochs),
  ...Array.from(
    { length: epochs },
    (_, epoch): ReadonlyArray<RunEvent> => [
      { _tag: "EpochStarted", epoch, epochs, batches },
      ...Array.from(
        { length: batches },
        (_, batch): RunEvent => ({
          _tag: "BatchEnded",
          epoch,
          batch,
          batches,
          loss: 1 / (1 + batch),
          learningRate: 0.1,
          examplesPerSecond: 1000,
        }),
      ),
    ],
  ).flat(),
]

const render = (options: Progress.Options, list: ReadonlyArray<RunEvent>, msPerBatch: number) => {
  const step = Progress.step(options)
  let state = Progress.initial
  let now = 0
  return list.map((event) => {
    if (event._tag === "BatchEnded") now += msPerBatch
    const r = step(state, event, now)
    state = r.state
    return { event, output: r.output, state, now }
  })
}

const shape = fc.record({
  epochs: fc.integer({ min: 1, max: 4 }),
  batches: fc.integer({ min: 1, max: 30 }),
  every: fc.integer({ min: 1, max: 12 }),
})

describe("Progress", () => {
  test("without a terminal: a batch line every `every` batches and at each epoch's last batch, each ending in a newline", () => {
    fc.assert(
      fc.property(shape, ({ epochs, batches, every }) => {
        const out = render({ tty: false, every, label: "", width: 10 }, events(epochs, batches), 50)
        const batchLines = out.filter((o) => o.event._tag === "BatchEnded" && o.output !== "")
        const due = Array.from(
          { length: batches },
          (_, b) => (b + 1) % every === 0 || b + 1 === batches,
        ).filter(Boolean).length
        assert.equal(batchLines.length, epochs * due)
        for (const o of out) {
          assert.ok(!o.output.includes("\r"), "no carriage returns in logs")
          if (o.output !== "") assert.ok(o.output.endsWith("\n"))
        }
      }),
    )
  })

  test("on a terminal: every batch redraws the same line (clear, no newline) with epoch, batch, loss, ex/s and ETA", () => {
    fc.assert(
      fc.property(shape, ({ epochs, batches }) => {
        const out = render({ tty: true, every: 0, label: "[run] ", width: 10 }, events(epochs, batches), 50)
        for (const o of out.filter((x) => x.event._tag === "BatchEnded")) {
          const e = o.event as Extract<RunEvent, { _tag: "BatchEnded" }>
          assert.ok(o.output.startsWith("\r\u001b[2K[run] "))
          assert.ok(!o.output.includes("\n"))
          assert.match(o.output, new RegExp(`epoch ${e.epoch + 1}/${epochs} `))
          assert.match(o.output, new RegExp(`batch ${e.batch + 1}/${batches} `))
          assert.match(o.output, / loss \d+\.\d{4} \d+ ex\/s ETA \d+:\d\d$/)
        }
      }),
    )
  })

  test("ETA is the remaining batches times the mean time per batch, and 0:00 at the last batch", () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 1, max: 5000 }), ({ epochs, batches }, ms) => {
        const out = render({ tty: true, every: 0, label: "", width: 10 }, events(epochs, batches), ms)
        const batchesOnly = out.filter((o) => o.event._tag === "BatchEnded")
        batchesOnly.forEach((o, i) => {
          const remaining = epochs * batches - (i + 1)
          // The clock starts when the first epoch starts: i + 1 batches took (i + 1) * ms.
          const expected = (ms / 1000) * remaining
          assert.ok(Math.abs(Progress.eta(o.state, o.now, remaining) - expected) < 1e-6)
        })
        assert.match(batchesOnly.at(-1)!.output, /ETA 0:00$/)
      }),
    )
  })

  test("durations print as m:ss or h:mm:ss", () => {
    assert.equal(Progress.duration(0), "0:00")
    assert.equal(Progress.duration(65), "1:05")
    assert.equal(Progress.duration(3723), "1:02:03")
    assert.equal(Progress.duration(Number.NaN), "?")
  })
})
