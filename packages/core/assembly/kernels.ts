/**
 * vicinal's WebAssembly kernels (AssemblyScript; `npm run kernels -w @vicinal/core` compiles
 * this file into `src/KernelsBinary.ts`): bulk Beta sampling. WebAssembly's floating point is
 * IEEE-754 without fused or engine-specific operations, and `Math.log` / `Math.exp` below are
 * AssemblyScript's own (musl's), compiled in, so a given seed draws the same bits on Bun, Deno
 * and in a browser, and faster than JavaScript's `Math` allows on V8.
 *
 * Buffers live in this module's memory above `heapBase()`; the caller (src/Kernels.ts) lays
 * them out and copies out. Nothing here allocates.
 */

/** First byte the caller may use (after the static data: the math tables). */
export function heapBase(): usize {
  return __heap_base
}

// sfc32, the generator of the bulk path: 4 x i32 of state at `state`, advanced in place.
let s0: i32 = 0
let s1: i32 = 0
let s2: i32 = 0
let s3: i32 = 0

function loadState(state: usize): void {
  s0 = load<i32>(state)
  s1 = load<i32>(state, 4)
  s2 = load<i32>(state, 8)
  s3 = load<i32>(state, 12)
}

function storeState(state: usize): void {
  store<i32>(state, s0)
  store<i32>(state, s1, 4)
  store<i32>(state, s2, 8)
  store<i32>(state, s3, 12)
}

/** The next 32 bits of sfc32. */
function next(): u32 {
  const t = s0 + s1 + s3
  s3 = s3 + 1
  s0 = s1 ^ (s1 >>> 9)
  s1 = s2 + (s2 << 3)
  s2 = ((s2 << 21) | (s2 >>> 11)) + t
  return <u32>t
}

/** Uniform in (0, 1), never 0, so that logs stay finite. */
function uniform(): f64 {
  return (<f64>next() + 0.5) / 4294967296.0
}

/**
 * `n` Beta(a, b) draws into the f64 array at `out` by Jöhnk's method in log space: exact for
 * any shapes, fast when both are below 1 (acceptance >= pi/4), mixup's usual case.
 */
export function betaJohnk(a: f64, b: f64, out: usize, n: i32, state: usize): void {
  loadState(state)
  const ia = 1.0 / a
  const ib = 1.0 / b
  if (a === b) {
    // X / (X + Y) = 1 / (1 + r) with r = (min / max)^(1/a): one log and one exp per try. The
    // larger uniform w gives max = log(w) / a <= -0.7 when w <= e^(-0.7 a), and then X + Y <= 1
    // holds without evaluating it (0 <= log1p(r) <= ln 2).
    const sure = Math.exp(-0.7 * a)
    for (let i = 0; i < n; ) {
      const u = uniform()
      const v = uniform()
      const big = u > v
      const w = big ? u : v
      const r = Math.exp(Math.log(big ? v / u : u / v) * ia)
      if (w <= sure || Math.log(w) * ia + Math.log1p(r) <= 0) {
        store<f64>(out + ((<usize>i) << 3), big ? 1.0 / (1.0 + r) : r / (1.0 + r))
        i++
      }
    }
  } else {
    for (let i = 0; i < n; ) {
      const lx = Math.log(uniform()) * ia
      const ly = Math.log(uniform()) * ib
      const big = lx > ly
      const max = big ? lx : ly
      const r = Math.exp(big ? ly - lx : lx - ly)
      if (max <= -0.7 || max + Math.log1p(r) <= 0) {
        store<f64>(out + ((<usize>i) << 3), big ? 1.0 / (1.0 + r) : r / (1.0 + r))
        i++
      }
    }
  }
  storeState(state)
}

// The polar method yields normals in pairs; the second is kept for the next call.
let spare: f64 = 0
let hasSpare = false

function normal(): f64 {
  if (hasSpare) {
    hasSpare = false
    return spare
  }
  let u: f64, v: f64, s: f64
  do {
    u = 2.0 * uniform() - 1.0
    v = 2.0 * uniform() - 1.0
    s = u * u + v * v
  } while (!(s > 0 && s < 1))
  const f = Math.sqrt((-2.0 * Math.log(s)) / s)
  spare = v * f
  hasSpare = true
  return u * f
}

/** Log of a Gamma(shape, 1) variate (Marsaglia & Tsang; shape < 1 via the U^(1/shape) boost). */
function logGamma(shape: f64): f64 {
  const boost = shape < 1 ? Math.log(uniform()) / shape : 0.0
  const d = (shape < 1 ? shape + 1 : shape) - 1.0 / 3.0
  const c = 1.0 / Math.sqrt(9.0 * d)
  let v: f64 = 0
  let accepted = false
  while (!accepted) {
    const x = normal()
    const t = 1.0 + c * x
    if (t <= 0) continue
    v = t * t * t
    const u = uniform()
    const x2 = x * x
    accepted = u < 1.0 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1.0 - v + Math.log(v))
  }
  return Math.log(d * v) + boost
}

/** `n` Beta(a, b) draws as X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b), stable in log space. */
export function betaGammaRatio(a: f64, b: f64, out: usize, n: i32, state: usize): void {
  loadState(state)
  hasSpare = false
  for (let i = 0; i < n; i++) {
    const lx = logGamma(a)
    const ly = logGamma(b)
    store<f64>(out + ((<usize>i) << 3), 1.0 / (1.0 + Math.exp(ly - lx)))
  }
  storeState(state)
}
