/**
 * One comparison row: `ours` / `theirs` timed interleaved, judged against `target`, with a note
 * of any tensor left behind; a failure becomes a skipped row naming it.
 */
import * as tf from "@tensorflow/tfjs-core"
import * as Describe from "../Describe.ts"
import * as Harness from "../Harness.ts"
import { type Row, row, skipped } from "../Report.ts"

export interface Side {
  readonly name: string
  readonly work: Harness.Work
}

export const ratioRow = async (
  base: Omit<Row, "status" | "value" | "unit" | "detail" | "target">,
  ours: Side,
  theirs: Side,
  target: number,
  harness: Harness.Options,
): Promise<Row> => {
  const before = tf.memory().numTensors
  try {
    const c = await Harness.compare(ours.work, theirs.work, harness)
    const leaked = tf.memory().numTensors - before
    return row({
      ...base,
      value: c.ratio.median,
      unit: "x",
      target: { op: "<=", value: target },
      ratioQuartiles: c.ratio,
      detail:
        Describe.comparison(c, ours.name, theirs.name) +
        (leaked === 0 ? "" : `; LEAK: ${leaked} tensors left`),
    })
  } catch (error) {
    return skipped({
      ...base,
      unit: "x",
      detail: `failed: ${error instanceof Error ? error.message : String(error)}`,
    })
  }
}
