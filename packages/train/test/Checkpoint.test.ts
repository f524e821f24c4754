import assert from "node:assert/strict"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, test } from "node:test"
import { Effect, Exit, Option } from "effect"
import * as fc from "fast-check"
import { Checkpoint, Errors } from "../src/index.ts"

const tensor = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    values: fc.float32Array({
      minLength: shape.reduce((a, b) => a * b, 1),
      maxLength: shape.reduce((a, b) => a * b, 1),
    }),
  }),
)

const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown)

const checkpoint: fc.Arbitrary<Checkpoint.Checkpoint> = fc.record({
  formatVersion: fc.constant(Checkpoint.FORMAT_VERSION),
  config: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 4 }),
  position: fc.record({ epoch: fc.nat(1000), batch: fc.nat(1000) }),
  rng: fc.dictionary(fc.string({ maxLength: 6 }), fc.array(fc.integer(), { maxLength: 4 }), { maxKeys: 3 }),
  weights: fc.array(tensor, { maxLength: 4 }),
  optimizer: fc.record({
    kind: fc.constantFrom("sgd" as const, "adam" as const),
    steps: fc.nat(),
    slots: fc.array(
      tensor.chain((t) =>
        fc.record({
          slot: fc.constantFrom("m", "v"),
          variable: fc.nat(5),
          shape: fc.constant(t.shape),
          values: fc.constant(t.values),
        }),
      ),
      { maxLength: 3 },
    ),
  }),
  history: fc.array(json, { maxLength: 3 }),
  extra: json,
  backend: fc.constantFrom("wasm", "cpu", "tfjs-node"),
})

const sameBits = (a: Float32Array, b: Float32Array) =>
  assert.deepEqual(
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
    new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  )

const expectEqual = (got: Checkpoint.Checkpoint, want: Checkpoint.Checkpoint) => {
  const { weights, optimizer, ...rest } = got
  const { weights: w2, optimizer: o2, ...rest2 } = want
  assert.deepEqual(JSON.parse(JSON.stringify(rest)), JSON.parse(JSON.stringify(rest2)))
  assert.equal(weights.length, w2.length)
  weights.forEach((w, i) => {
    assert.deepEqual([...w.shape], [...w2[i]!.shape])
    sameBits(w.values, w2[i]!.values)
  })
  assert.equal(optimizer.steps, o2.steps)
  optimizer.slots.forEach((s, i) => {
    sameBits(s.values, o2.slots[i]!.values)
  })
}

const problemOf = (exit: Exit.Exit<unknown, Errors.CheckpointError>) => {
  assert.ok(Exit.isFailure(exit), "expected the checkpoint to be refused")
  const error = Exit.isFailure(exit)
    ? exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : undefined))[0]
    : undefined
  assert.ok(error instanceof Errors.CheckpointError)
  return error
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "vicinal-ckpt-"))

describe("Checkpoint encode/decode", () => {
  test("round-trips every field, floats bit for bit (NaN payloads included)", () => {
    fc.assert(
      fc.property(checkpoint, (c) => {
        expectEqual(Effect.runSync(Checkpoint.decode(Checkpoint.encode(c))), c)
      }),
      { numRuns: 60 },
    )
  })

  test("any damaged byte or truncation is refused as corrupt", () => {
    fc.assert(
      fc.property(
        checkpoint,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (c, at, flip, truncate) => {
          const bytes = Checkpoint.encode(c)
          const damaged = truncate ? bytes.slice(0, at % bytes.length) : bytes.slice()
          if (!truncate) damaged[at % bytes.length]! ^= flip
          const error = problemOf(Effect.runSyncExit(Checkpoint.decode(damaged, "x.vck")))
          assert.equal(error.problem, "corrupt")
          assert.match(error.message, /x\.vck/)
        },
      ),
      { numRuns: 80 },
    )
  })
})

const sample = (
  epoch: number,
  config: unknown = { seed: 1, model: { kind: "mlp" } },
): Checkpoint.Checkpoint => ({
  formatVersion: Checkpoint.FORMAT_VERSION,
  config,
  position: { epoch, batch: 0 },
  rng: { strategy: [1, 2, 3, 4] },
  weights: [{ shape: [2, 2], values: Float32Array.of(1, 2, 3, epoch) }],
  optimizer: { kind: "sgd", steps: epoch * 10, slots: [] },
  history: [],
  extra: null,
})

describe("Checkpoint files", () => {
  test("save writes atomically (no temporary left), keeps the newest `keep`, latest finds the newest", async () => {
    const dir = tempDir()
    for (const epoch of [1, 2, 3]) await Effect.runPromise(Checkpoint.save(dir, sample(epoch), { keep: 2 }))
    const files = fs.readdirSync(dir).sort()
    assert.deepEqual(files, [
      Checkpoint.fileName({ epoch: 2, batch: 0 }),
      Checkpoint.fileName({ epoch: 3, batch: 0 }),
    ])
    const latest = await Effect.runPromise(Checkpoint.latest(dir))
    assert.equal(Option.getOrThrow(latest), path.join(dir, files[1]!))
    const loaded = await Effect.runPromise(Checkpoint.load(Option.getOrThrow(latest)))
    expectEqual(loaded, sample(3))
    fs.rmSync(dir, { recursive: true })
  })

  test("temporary files of a writer killed mid-write are removed by the next save", async () => {
    const dir = tempDir()
    await Effect.runPromise(Checkpoint.save(dir, sample(1)))
    const stray = path.join(dir, `${Checkpoint.fileName({ epoch: 2, batch: 0 })}.tmp-99999`)
    fs.writeFileSync(stray, "half a checkpoint")
    await Effect.runPromise(Checkpoint.save(dir, sample(2)))
    assert.ok(!fs.existsSync(stray))
    assert.deepEqual(fs.readdirSync(dir).sort(), [
      Checkpoint.fileName({ epoch: 1, batch: 0 }),
      Checkpoint.fileName({ epoch: 2, batch: 0 }),
    ])
    fs.rmSync(dir, { recursive: true })
  })

  test("a corrupt latest checkpoint is refused with its path; the previous one is kept and still loads", async () => {
    const dir = tempDir()
    await Effect.runPromise(Checkpoint.save(dir, sample(1)))
    const newest = await Effect.runPromise(Checkpoint.save(dir, sample(2)))
    const bytes = fs.readFileSync(newest)
    bytes[bytes.length - 1]! ^= 0xff
    fs.writeFileSync(newest, bytes)
    const error = problemOf(await Effect.runPromiseExit(Checkpoint.load(newest)))
    assert.equal(error.problem, "corrupt")
    assert.match(error.message, /checksum/)
    assert.equal(fs.readdirSync(dir).length, 2)
    const previous = path.join(dir, Checkpoint.fileName({ epoch: 1, batch: 0 }))
    expectEqual(await Effect.runPromise(Checkpoint.load(previous)), sample(1))
    fs.rmSync(dir, { recursive: true })
  })

  test("a missing file and a future format version are refused, saying which", async () => {
    assert.equal(
      problemOf(await Effect.runPromiseExit(Checkpoint.load("/nonexistent/c.vck"))).problem,
      "missing",
    )
    const bytes = Checkpoint.encode({ ...sample(1), formatVersion: 99 })
    const error = problemOf(Effect.runSyncExit(Checkpoint.decode(bytes, "future.vck")))
    assert.equal(error.problem, "version")
    assert.match(error.message, /99/)
  })

  test("verify refuses another run's checkpoint, naming the differing field and both values", () => {
    const c = sample(1, { seed: 1, epochs: 3 })
    const ok = Effect.runSync(
      Checkpoint.verify(c, { file: "f", config: { epochs: 3, seed: 1 }, weightShapes: [[2, 2]] }),
    )
    assert.equal(ok, c)
    const seed = problemOf(
      Effect.runSyncExit(
        Checkpoint.verify(c, { file: "f", config: { seed: 2, epochs: 3 }, weightShapes: [[2, 2]] }),
      ),
    )
    assert.equal(seed.problem, "mismatch")
    assert.match(seed.message, /"seed": 1 in the checkpoint, 2 now/)
    const shapes = problemOf(
      Effect.runSyncExit(
        Checkpoint.verify(c, { file: "f", config: { seed: 1, epochs: 3 }, weightShapes: [[3, 2]] }),
      ),
    )
    assert.match(shapes.message, /\[2,2\].*\[3,2\]/)
  })
})
