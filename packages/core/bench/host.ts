/**
 * Throughput ratios for issue 10 (not a test): run with `bun packages/core/bench/host.ts` or
 * `deno run -A packages/core/bench/host.ts`. Each comparison interleaves A and B in one process
 * and reports the median of per-round ratios, so a shared, noisy machine still gives stable
 * ratios (absolute numbers are indicative only).
 *
 *   host:    Host.executeInto / Host.execute mixup (batch lambda, random permutation, one-hot y) vs `out.set(src)`
 *            of the same bytes; reported as the fraction of copy bandwidth (target >= 0.5)
 *   lambda:  Lambda.sampleInto(Beta(0.2, 0.2)) into 1M Float64Array, draws/s (target >= 25M/s)
 *   tensor:  Strategy.execute / Strategy.apply vs a hand-written tfjs mixup on wasm
 *            (target ratio <= 1.10)
 * Pick sections with arguments: `bun bench/host.ts host lambda tensor` (default: all).
 */
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"
import { Execute, Host, Lambda, Pairing, Random, Strategy } from "@vicinal/core"
import { Effect } from "effect"

const ROUNDS = 15

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Milliseconds per call of `run`, averaged over `reps` calls. */
const time = (reps: number, run: () => void): number => {
  const start = performance.now()
  for (let r = 0; r < reps; r++) run()
  return (performance.now() - start) / reps
}

/** Median over rounds of time(a) / time(b), A and B alternated; plus median ms of each. */
const compare = (reps: number, a: () => void, b: () => void) => {
  for (let w = 0; w < 3; w++) {
    time(reps, a)
    time(reps, b)
  }
  const ratios: Array<number> = []
  const as: Array<number> = []
  const bs: Array<number> = []
  for (let r = 0; r < ROUNDS; r++) {
    const ta = time(reps, a)
    const tb = time(reps, b)
    ratios.push(ta / tb)
    as.push(ta)
    bs.push(tb)
  }
  return { ratio: median(ratios), a: median(as), b: median(bs) }
}

const oneHot = (n: number, classes: number, rng: Random.Rng): Float32Array => {
  const y = new Float32Array(n * classes)
  for (let i = 0; i < n; i++) y[i * classes + rng.int(classes)] = 1
  return y
}

const context = { epoch: 0, step: 0 }
const mixup = Strategy.mixup({ alpha: 1, pairing: Pairing.randomPermutation, granularity: "batch" })
const sections = new Set(process.argv.slice(2))
const wants = (name: string) => sections.size === 0 || sections.has(name)

if (wants("host")) {
  for (const n of [128, 512]) {
    const rng = Random.make(n)
    const shape = [n, 32, 32, 3]
    const size = n * 32 * 32 * 3
    const x = Float32Array.from({ length: size }, () => rng.uniform())
    const bytes = Uint8Array.from({ length: size }, () => rng.int(256))
    const y = oneHot(n, 10, rng)
    const plan = Strategy.plan(mixup, { n, shape }, context, rng)
    const copy = new Float32Array(size)
    const copyBytes = new Uint8Array(size)
    const into = { x: new Float32Array(size), y: new Float32Array(y.length) }
    const intoBytes = { x: new Uint8Array(size), y: new Float32Array(y.length) }
    const report = (label: string, r: ReturnType<typeof compare>) =>
      console.log(
        `host ${label} n=${n}: ${r.ratio.toFixed(3)} of copy bandwidth (copy ${r.a.toFixed(3)} ms, mix ${r.b.toFixed(3)} ms)`,
      )
    // executeInto writes into reused buffers, like `copy.set(x)`; execute allocates its outputs,
    // so its fair baseline is `x.slice()`.
    report(
      "floats executeInto",
      compare(
        5,
        () => copy.set(x),
        () => Host.executeInto(plan, { x, shape, y }, into),
      ),
    )
    report(
      "floats execute vs slice",
      compare(
        5,
        () => x.slice(),
        () => Host.execute(plan, { x, shape, y }),
      ),
    )
    report(
      "bytes executeInto",
      compare(
        5,
        () => copyBytes.set(bytes),
        () => Host.executeInto(plan, { x: bytes, shape, y }, intoBytes),
      ),
    )
  }
}

if (wants("lambda")) {
  const out = new Float64Array(1 << 20)
  for (const alpha of [0.2, 1, 2]) {
    const rng = Random.make(1)
    const sampler = Lambda.symmetricBeta(alpha)
    for (let w = 0; w < 3; w++) Lambda.sampleInto(sampler, rng, out)
    const ms: Array<number> = []
    for (let r = 0; r < 7; r++) ms.push(time(1, () => Lambda.sampleInto(sampler, rng, out)))
    console.log(`Beta(${alpha}, ${alpha}): ${(out.length / median(ms) / 1000).toFixed(1)} M draws/s`)
  }
}

if (wants("tensor")) {
  await tf.setBackend("wasm")
  await tf.ready()
  const n = 128
  const rng = Random.make(3)
  const shape = [n, 32, 32, 3]
  const x = tf.tensor(
    Float32Array.from({ length: n * 3072 }, () => rng.uniform()),
    shape,
  )
  const y = tf.tensor2d(oneHot(n, 10, rng), [n, 10])
  const batch = { x, y }
  // The hand-written baseline: draw a lambda and a permutation, gather, scale, add.
  const handWritten = () => {
    const l = Lambda.sample(Lambda.symmetricBeta(1), rng)
    const partner = Pairing.permutation(n, rng)
    const [mx, my] = tf.tidy(() => {
      const index = tf.tensor1d(partner, "int32")
      const a = tf.scalar(l)
      const b = tf.scalar(1 - l)
      return [
        tf.add(tf.mul(x, a), tf.mul(tf.gather(x, index), b)),
        tf.add(tf.mul(y, a), tf.mul(tf.gather(y, index), b)),
      ]
    })
    mx!.dispose()
    my!.dispose()
  }
  const viaExecute = () => {
    const plan = Strategy.plan(mixup, { n, shape }, context, rng)
    Execute.dispose(Strategy.execute(plan, batch))
  }
  const program = Strategy.apply(mixup, batch, context).pipe(Random.withSeed(1))
  const viaApply = () => Execute.dispose(Effect.runSync(program))
  const before = tf.memory().numTensors
  const e = compare(10, viaExecute, handWritten)
  console.log(
    `tensor plan+execute / hand-written: ${e.ratio.toFixed(3)} (${e.a.toFixed(3)} vs ${e.b.toFixed(3)} ms)`,
  )
  const a = compare(10, viaApply, handWritten)
  console.log(
    `tensor apply / hand-written:        ${a.ratio.toFixed(3)} (${a.a.toFixed(3)} vs ${a.b.toFixed(3)} ms)`,
  )
  if (tf.memory().numTensors !== before) console.log(`tensor leak: ${before} -> ${tf.memory().numTensors}`)
}
