import assert from "node:assert/strict"
import { test } from "node:test"
import { Errors } from "@vicinal/train"
import * as Runner from "../src/Runner.ts"

test("a checkpoint --resume cannot use is reported with what to do about it", () => {
  for (const problem of ["corrupt", "version", "mismatch"] as const) {
    const error = Runner.fromTrainError(
      new Errors.CheckpointError({
        path: "out/runs/x/checkpoints/epoch-3.ckpt",
        problem,
        message: "checksum mismatch",
      }),
    )
    assert.match(
      error.message,
      /checksum mismatch; to continue from an earlier checkpoint delete out\/runs\/x\/checkpoints\/epoch-3\.ckpt, to start the run over drop --resume, or write to another folder with --out/,
      problem,
    )
  }
  const exists = Runner.fromTrainError(
    new Errors.CheckpointError({
      path: "out/c",
      problem: "exists",
      message: "out/c already holds checkpoints",
    }),
  )
  assert.match(exists.message, /resume it with --resume, or write to another folder with --out/)
})
