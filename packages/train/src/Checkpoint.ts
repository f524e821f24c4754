/**
 * Checkpoints of a run: one directory per run, one file per checkpoint, written atomically.
 *
 * File layout (little-endian):
 *   "VCNLCKPT" | sha256 of everything after it (32 bytes) | u32 header length | header JSON | float32 payload
 * The header holds the format version, the run's full config, the position reached, random
 * generator states, the optimiser's step count, the metrics history and the shapes/offsets of
 * the tensors stored in the payload (model weights, optimiser slots).
 *
 * Writing goes to a temporary file which is fsync'ed and then renamed over the final name, so a
 * crash (even SIGKILL) leaves either the previous checkpoint or the complete new one, never a
 * torn file; the `keep` most recent checkpoints are retained. Loading verifies magic, checksum,
 * version and structure and fails with a `CheckpointError` saying which; nothing is deleted on
 * failure, so the previous checkpoints stay available.
 */
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { SchemaPath } from "@vicinal/core"
import { Effect, Option, Schema } from "effect"
import { CheckpointError, type CheckpointProblem, describe } from "./Errors.ts"
import type { OptimizerState } from "./Optimizer.ts"

export const FORMAT_VERSION = 1
const MAGIC = "VCNLCKPT"
const EXTENSION = ".vck"
const PREFIX_BYTES = MAGIC.length + 32 + 4

/** Where a run stands: the next epoch and the next batch within it (0 at an epoch boundary). */
export interface Position {
  readonly epoch: number
  readonly batch: number
}

export interface Tensor {
  readonly shape: ReadonlyArray<number>
  readonly values: Float32Array
}

export interface Checkpoint {
  readonly formatVersion: number
  /** The run's full config, as encoded JSON. */
  readonly config: unknown
  readonly position: Position
  /** Generator states by stream name (e.g. `strategy`), from `Rng.state()`. */
  readonly rng: Readonly<Record<string, ReadonlyArray<number>>>
  /** All model weights, in `model.getWeights()` order. */
  readonly weights: ReadonlyArray<Tensor>
  readonly optimizer: OptimizerState
  /** Metrics of finished epochs (JSON). */
  readonly history: ReadonlyArray<unknown>
  /** Anything else the loop needs to continue mid-epoch (JSON), e.g. the running loss sum. */
  readonly extra: unknown
  /** The backend that computed the weights (kernels differ between backends in the last bits). */
  readonly backend?: string
}

const Span = Schema.Struct({
  shape: Schema.Array(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  offset: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  length: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
})

const Header = Schema.Struct({
  formatVersion: Schema.Number,
  config: Schema.Unknown,
  position: Schema.Struct({ epoch: Schema.Int, batch: Schema.Int }),
  rng: Schema.Record(Schema.String, Schema.Array(Schema.Number)),
  weights: Schema.Array(Span),
  optimizer: Schema.Struct({
    kind: Schema.Literals(["sgd", "adam"]),
    steps: Schema.Int,
    slots: Schema.Array(Schema.Struct({ slot: Schema.String, variable: Schema.Int, span: Span })),
  }),
  history: Schema.Array(Schema.Unknown),
  extra: Schema.Unknown,
  backend: Schema.optionalKey(Schema.String),
})
type Header = typeof Header.Type

const fail = (file: string, problem: CheckpointProblem, message: string) =>
  new CheckpointError({ path: file, problem, message: `checkpoint ${file}: ${message}` })

/** The file name of the checkpoint at `position` (sorts by position). */
export const fileName = ({ epoch, batch }: Position): string =>
  `checkpoint-e${String(epoch).padStart(5, "0")}-b${String(batch).padStart(7, "0")}${EXTENSION}`

const positionOf = (name: string): Position | undefined => {
  const m = /^checkpoint-e(\d+)-b(\d+)\.vck$/.exec(name)
  return m === null ? undefined : { epoch: Number(m[1]), batch: Number(m[2]) }
}

/** Serialise to the file layout above (pure). */
export const encode = (checkpoint: Checkpoint): Uint8Array => {
  const arrays: Array<Float32Array> = []
  let offset = 0
  const span = (t: Tensor) => {
    const s = { shape: [...t.shape], offset, length: t.values.length }
    arrays.push(t.values)
    offset += t.values.length
    return s
  }
  const header: Header = {
    formatVersion: checkpoint.formatVersion,
    config: checkpoint.config,
    position: checkpoint.position,
    rng: checkpoint.rng,
    weights: checkpoint.weights.map(span),
    optimizer: {
      kind: checkpoint.optimizer.kind,
      steps: checkpoint.optimizer.steps,
      slots: checkpoint.optimizer.slots.map((s) => ({ slot: s.slot, variable: s.variable, span: span(s) })),
    },
    history: checkpoint.history,
    extra: checkpoint.extra,
    ...(checkpoint.backend === undefined ? {} : { backend: checkpoint.backend }),
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify(header))
  // Pad the header so that the payload starts 4-byte aligned within the file.
  const pad = (4 - ((PREFIX_BYTES + headerBytes.length) % 4)) % 4
  const headerLength = headerBytes.length + pad
  const bytes = new Uint8Array(PREFIX_BYTES + headerLength + offset * 4)
  bytes.set(new TextEncoder().encode(MAGIC), 0)
  new DataView(bytes.buffer).setUint32(MAGIC.length + 32, headerLength, true)
  bytes.set(headerBytes, PREFIX_BYTES)
  bytes.fill(0x20, PREFIX_BYTES + headerBytes.length, PREFIX_BYTES + headerLength)
  const payload = new Float32Array(bytes.buffer, PREFIX_BYTES + headerLength, offset)
  let at = 0
  for (const a of arrays) {
    payload.set(a, at)
    at += a.length
  }
  bytes.set(sha256(bytes.subarray(MAGIC.length + 32)), MAGIC.length)
  return bytes
}

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(bytes).digest())

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** Parse and verify (pure); `file` only names the source in errors. */
export const decode = (bytes: Uint8Array, file = "<bytes>"): Effect.Effect<Checkpoint, CheckpointError> =>
  Effect.gen(function* () {
    if (bytes.length < PREFIX_BYTES || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC)
      return yield* fail(file, "corrupt", "not a vicinal checkpoint (bad magic or truncated)")
    const stored = bytes.subarray(MAGIC.length, MAGIC.length + 32)
    if (!sameBytes(stored, sha256(bytes.subarray(MAGIC.length + 32))))
      return yield* fail(file, "corrupt", "checksum mismatch (file damaged or truncated)")
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length + 32, true)
    const payloadStart = PREFIX_BYTES + headerLength
    if (payloadStart > bytes.length || (bytes.length - payloadStart) % 4 !== 0)
      return yield* fail(
        file,
        "corrupt",
        `header length ${headerLength} does not fit a file of ${bytes.length} bytes`,
      )
    const json = yield* Effect.try({
      try: () => JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, payloadStart))) as unknown,
      catch: (cause) => fail(file, "corrupt", `header is not JSON (${describe(cause)})`),
    })
    const version =
      typeof json === "object" && json !== null && "formatVersion" in json ? json.formatVersion : undefined
    if (version !== FORMAT_VERSION)
      return yield* fail(
        file,
        "version",
        `format version ${String(version)}, this reader knows ${FORMAT_VERSION}`,
      )
    const header = yield* Schema.decodeUnknownEffect(Header)(json).pipe(
      Effect.mapError((e) => fail(file, "corrupt", `malformed header: ${e.message.split("\n").join(" ")}`)),
    )
    // Copy the payload so that the result does not alias the file buffer.
    const payload = new Float32Array(bytes.slice(payloadStart).buffer)
    const fits = (s: typeof Span.Type) =>
      s.offset + s.length <= payload.length && s.shape.reduce((a, b) => a * b, 1) === s.length
    if (!header.weights.every(fits) || !header.optimizer.slots.every((s) => fits(s.span)))
      return yield* fail(
        file,
        "corrupt",
        "a tensor span lies outside the payload or disagrees with its shape",
      )
    const tensor = (s: typeof Span.Type): Tensor => ({
      shape: s.shape,
      values: payload.slice(s.offset, s.offset + s.length),
    })
    return {
      formatVersion: header.formatVersion,
      config: header.config,
      position: header.position,
      rng: header.rng,
      weights: header.weights.map(tensor),
      optimizer: {
        kind: header.optimizer.kind,
        steps: header.optimizer.steps,
        slots: header.optimizer.slots.map((s) => ({ slot: s.slot, variable: s.variable, ...tensor(s.span) })),
      },
      history: header.history,
      extra: header.extra,
      ...(header.backend === undefined ? {} : { backend: header.backend }),
    }
  })

/**
 * Decode what the run itself keeps in a checkpoint (`rng`, `history`, `extra`) with `schema`;
 * a field it refuses makes the checkpoint corrupt, the error naming the field.
 */
export const decodeState = <S extends Schema.Top & { readonly DecodingServices: never }>(
  schema: S,
  checkpoint: Checkpoint,
  file: string,
): Effect.Effect<S["Type"], CheckpointError> => {
  const state = { rng: checkpoint.rng, history: checkpoint.history, extra: checkpoint.extra }
  return Schema.decodeUnknownEffect(schema)(state).pipe(
    Effect.mapError((error) => {
      const first = SchemaPath.firstIssue(error.issue, state)
      return fail(
        file,
        "corrupt",
        `${first.field === "" ? "run state" : first.field}: ${first.message ?? "invalid"}, got ${JSON.stringify(first.value) ?? "nothing"}`,
      )
    }),
  )
}

const io = <A>(file: string, f: () => A): Effect.Effect<A, CheckpointError> =>
  Effect.try({ try: f, catch: (cause) => fail(file, "io", describe(cause)) })

const writeDurably = (file: string, bytes: Uint8Array): void => {
  const fd = fs.openSync(file, "w")
  try {
    fs.writeSync(fd, bytes)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

// Make the rename itself durable; not every platform lets a directory be fsync'ed.
const syncDirectory = (dir: string): void => {
  try {
    const fd = fs.openSync(dir, "r")
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    // best effort
  }
}

/** Checkpoint files in `dir`, oldest first. */
export const list = (dir: string): Effect.Effect<ReadonlyArray<string>, CheckpointError> =>
  io(dir, () =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((name) => positionOf(name) !== undefined)
          .sort()
          .map((name) => path.join(dir, name))
      : [],
  )

/** The newest checkpoint file in `dir`, if any (not yet verified: `load` does that). */
export const latest = (dir: string): Effect.Effect<Option.Option<string>, CheckpointError> =>
  Effect.map(list(dir), (files) => Option.fromNullishOr(files.at(-1)))

/**
 * Write `checkpoint` into `dir` atomically and keep only the `keep` newest checkpoints (>= 1).
 * Returns the file written.
 */
export const save = (
  dir: string,
  checkpoint: Checkpoint,
  options: { readonly keep?: number } = {},
): Effect.Effect<string, CheckpointError> =>
  Effect.gen(function* () {
    const file = path.join(dir, fileName(checkpoint.position))
    const temporary = `${file}.tmp-${process.pid}`
    const bytes = encode(checkpoint)
    yield* io(file, () => {
      fs.mkdirSync(dir, { recursive: true })
      writeDurably(temporary, bytes)
      fs.renameSync(temporary, file)
      syncDirectory(dir)
    })
    const keep = Math.max(1, options.keep ?? 2)
    const files = yield* list(dir)
    yield* io(dir, () => {
      for (const old of files.slice(0, Math.max(0, files.length - keep))) fs.rmSync(old)
      // Temporary files left by a writer that was killed mid-write (never valid checkpoints).
      for (const name of fs.readdirSync(dir))
        if (/\.vck\.tmp-\d+$/.test(name)) fs.rmSync(path.join(dir, name), { force: true })
    })
    return file
  })

/** Read and verify one checkpoint file. */
export const load = (file: string): Effect.Effect<Checkpoint, CheckpointError> =>
  Effect.gen(function* () {
    if (!fs.existsSync(file)) return yield* fail(file, "missing", "no such file")
    const bytes = yield* io(file, () => new Uint8Array(fs.readFileSync(file)))
    return yield* decode(bytes, file)
  })

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )

/** The first top-level config field whose value differs, if any. */
const differingField = (a: unknown, b: unknown): string | undefined => {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null)
    return canonical(a) === canonical(b) ? undefined : "config"
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  return keys.find(
    (k) => canonical((a as Record<string, unknown>)[k]) !== canonical((b as Record<string, unknown>)[k]),
  )
}

/**
 * Refuse a checkpoint written by another run: its config must equal `config` (encoded JSON) and
 * its weights must have `weightShapes`.
 */
export const verify = (
  checkpoint: Checkpoint,
  expected: {
    readonly file: string
    readonly config: unknown
    readonly weightShapes: ReadonlyArray<ReadonlyArray<number>>
  },
): Effect.Effect<Checkpoint, CheckpointError> => {
  const field = differingField(checkpoint.config, expected.config)
  if (field !== undefined)
    return Effect.fail(
      fail(
        expected.file,
        "mismatch",
        `written for a different config (field "${field}": ${canonical((checkpoint.config as Record<string, unknown>)?.[field])} in the checkpoint, ${canonical((expected.config as Record<string, unknown>)?.[field])} now)`,
      ),
    )
  const shapes = checkpoint.weights.map((w) => `[${w.shape}]`).join(",")
  const wanted = expected.weightShapes.map((s) => `[${s}]`).join(",")
  if (shapes !== wanted)
    return Effect.fail(
      fail(expected.file, "mismatch", `weights have shapes ${shapes}, the model has ${wanted}`),
    )
  return Effect.succeed(checkpoint)
}
