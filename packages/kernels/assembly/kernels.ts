/**
 * Float32 GEMM and the convolution filter gradient for tfjs's wasm backend, in WebAssembly SIMD
 * (AssemblyScript; `npm run kernels -w @vicinal/kernels` compiles this file into
 * `src/KernelsBinary.ts`, and, for a shared memory, `src/KernelsSharedBinary.ts`). The module
 * imports the backend's own memory, so it reads the tensors where tfjs keeps them and writes the
 * outputs in place: no copies. The shared build runs on a helper thread (src/Threads.ts). It has no static
 * data (nothing is written into that memory at instantiation) and allocates nothing; the caller
 * passes byte addresses of tensors and of scratch space it reserved with the backend's malloc.
 *
 * Every output element is one sequential float32 sum over k (k = 0, 1, ...) of products, in the
 * same order whatever the blocking, tile or lane: results depend on the shapes alone and are the
 * same bits on every engine (WebAssembly arithmetic is IEEE-754 with no fused operations).
 */

// Columns of one packed panel of B (two f32x4 lanes) and rows of one register tile.
const NR: i32 = 8
const MR: i32 = 4
// Rows of K per block: 256 x 8 floats = 8 KB of panel, which stays in L1 while A streams.
const KB: i32 = 256

// The number of NR-column panels of an n-column B.
function panelsOf(n: i32): i32 {
  return (n + NR - 1) / NR
}

// Pack B[k0 .. k0 + kc, 0 .. n] into panels of NR columns: panel p holds, for each k, the NR
// values B[k, p * NR .. p * NR + NR] (zero beyond n), contiguously.
function packBlock(b: usize, bRow: i32, bCol: i32, k0: i32, kc: i32, n: i32, pack: usize): void {
  const panels = panelsOf(n)
  for (let p = 0; p < panels; p++) {
    const dst = pack + <usize>(p * kc * NR) * 4
    const j0 = p * NR
    const width = min(NR, n - j0)
    if (bCol === 1 && width === NR) {
      for (let k = 0; k < kc; k++) {
        const src = b + <usize>((k0 + k) * bRow + j0) * 4
        v128.store(dst + <usize>(k * NR) * 4, v128.load(src))
        v128.store(dst + <usize>(k * NR) * 4, v128.load(src, 16), 16)
      }
    } else {
      for (let jj = 0; jj < NR; jj++) {
        if (jj < width) {
          const col = b + <usize>((j0 + jj) * bCol) * 4
          for (let k = 0; k < kc; k++)
            store<f32>(dst + <usize>(k * NR + jj) * 4, load<f32>(col + <usize>((k0 + k) * bRow) * 4))
        } else {
          for (let k = 0; k < kc; k++) store<f32>(dst + <usize>(k * NR + jj) * 4, 0)
        }
      }
    }
  }
}

// C[i .. i + 4, j0 .. j0 + 8] (+)= A[i .. i + 4, k0 .. k0 + kc] . panel.
function tile4x8(
  a: usize,
  aRow: i32,
  aCol: i32,
  i: i32,
  k0: i32,
  kc: i32,
  panel: usize,
  c: usize,
  ldc: i32,
  j0: i32,
  first: bool,
): void {
  const c0 = c + <usize>(i * ldc + j0) * 4
  const c1 = c0 + <usize>ldc * 4
  const c2 = c1 + <usize>ldc * 4
  const c3 = c2 + <usize>ldc * 4
  let x00 = f32x4.splat(0),
    x01 = f32x4.splat(0),
    x10 = f32x4.splat(0),
    x11 = f32x4.splat(0)
  let x20 = f32x4.splat(0),
    x21 = f32x4.splat(0),
    x30 = f32x4.splat(0),
    x31 = f32x4.splat(0)
  if (!first) {
    x00 = v128.load(c0)
    x01 = v128.load(c0, 16)
    x10 = v128.load(c1)
    x11 = v128.load(c1, 16)
    x20 = v128.load(c2)
    x21 = v128.load(c2, 16)
    x30 = v128.load(c3)
    x31 = v128.load(c3, 16)
  }
  const step = <usize>aCol * 4
  let p0 = a + <usize>(i * aRow + k0 * aCol) * 4
  let p1 = p0 + <usize>aRow * 4
  let p2 = p1 + <usize>aRow * 4
  let p3 = p2 + <usize>aRow * 4
  let pb = panel
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb)
    const b1 = v128.load(pb, 16)
    const a0 = f32x4.splat(load<f32>(p0))
    const a1 = f32x4.splat(load<f32>(p1))
    const a2 = f32x4.splat(load<f32>(p2))
    const a3 = f32x4.splat(load<f32>(p3))
    x00 = f32x4.add(x00, f32x4.mul(a0, b0))
    x01 = f32x4.add(x01, f32x4.mul(a0, b1))
    x10 = f32x4.add(x10, f32x4.mul(a1, b0))
    x11 = f32x4.add(x11, f32x4.mul(a1, b1))
    x20 = f32x4.add(x20, f32x4.mul(a2, b0))
    x21 = f32x4.add(x21, f32x4.mul(a2, b1))
    x30 = f32x4.add(x30, f32x4.mul(a3, b0))
    x31 = f32x4.add(x31, f32x4.mul(a3, b1))
    p0 += step
    p1 += step
    p2 += step
    p3 += step
    pb += <usize>NR * 4
  }
  v128.store(c0, x00)
  v128.store(c0, x01, 16)
  v128.store(c1, x10)
  v128.store(c1, x11, 16)
  v128.store(c2, x20)
  v128.store(c2, x21, 16)
  v128.store(c3, x30)
  v128.store(c3, x31, 16)
}

// One row of C against one full panel (the rows left over after the 4-row tiles).
function tile1x8(
  a: usize,
  aRow: i32,
  aCol: i32,
  i: i32,
  k0: i32,
  kc: i32,
  panel: usize,
  c: usize,
  ldc: i32,
  j0: i32,
  first: bool,
): void {
  const c0 = c + <usize>(i * ldc + j0) * 4
  let x0 = f32x4.splat(0),
    x1 = f32x4.splat(0)
  if (!first) {
    x0 = v128.load(c0)
    x1 = v128.load(c0, 16)
  }
  const step = <usize>aCol * 4
  let p0 = a + <usize>(i * aRow + k0 * aCol) * 4
  let pb = panel
  for (let k = 0; k < kc; k++) {
    const a0 = f32x4.splat(load<f32>(p0))
    x0 = f32x4.add(x0, f32x4.mul(a0, v128.load(pb)))
    x1 = f32x4.add(x1, f32x4.mul(a0, v128.load(pb, 16)))
    p0 += step
    pb += <usize>NR * 4
  }
  v128.store(c0, x0)
  v128.store(c0, x1, 16)
}

// The columns of a partial last panel, one scalar sum each (the same order as the lanes).
function tileScalar(
  a: usize,
  aRow: i32,
  aCol: i32,
  i: i32,
  k0: i32,
  kc: i32,
  panel: usize,
  c: usize,
  ldc: i32,
  j0: i32,
  width: i32,
  first: bool,
): void {
  for (let jj = 0; jj < width; jj++) {
    const out = c + <usize>(i * ldc + j0 + jj) * 4
    let s: f32 = first ? 0 : load<f32>(out)
    let pa = a + <usize>(i * aRow + k0 * aCol) * 4
    let pb = panel + <usize>jj * 4
    for (let k = 0; k < kc; k++) {
      s += load<f32>(pa) * load<f32>(pb)
      pa += <usize>aCol * 4
      pb += <usize>NR * 4
    }
    store<f32>(out, s)
  }
}

/** Bytes of B (`k` rows, `n` columns) packed by `packB`. */
export function packedBytes(n: i32, k: i32): i32 {
  return panelsOf(n) * NR * k * 4
}

/**
 * Pack B, whose B[k, j] is the float at b + 4 (k bRow + j bCol) (any transpose is a choice of
 * strides), into `pack` (`packedBytes(n, k)` bytes, 16-byte aligned), for `gemmPacked`: blocks of
 * KB rows of K one after another, each block's panels one after another. Packed once, B serves
 * every product with it (every matrix of a batch that shares B, and every thread).
 */
export function packB(b: usize, bRow: i32, bCol: i32, k: i32, n: i32, pack: usize): void {
  const block = <usize>(panelsOf(n) * NR) * 4
  for (let k0 = 0; k0 < k; k0 += KB)
    packBlock(b, bRow, bCol, k0, min(KB, k - k0), n, pack + <usize>k0 * block)
}

/**
 * C[m, n] (row-major, contiguous) = A . B, where A[i, k] is the float at a + 4 (i aRow + k aCol)
 * and B was packed by `packB` into `pack`. Rows of C are independent: a range of them is the
 * product of the same range of A's rows (how the work is split between threads).
 */
export function gemmPacked(
  a: usize,
  aRow: i32,
  aCol: i32,
  pack: usize,
  c: usize,
  m: i32,
  n: i32,
  k: i32,
): void {
  if (k === 0) {
    memory.fill(c, 0, <usize>(m * n) * 4)
    return
  }
  const panels = panelsOf(n)
  for (let k0 = 0; k0 < k; k0 += KB) {
    const kc = min(KB, k - k0)
    const first = k0 === 0
    const block = pack + <usize>(k0 * panels * NR) * 4
    for (let p = 0; p < panels; p++) {
      const j0 = p * NR
      const width = min(NR, n - j0)
      const panel = block + <usize>(p * kc * NR) * 4
      let i = 0
      if (width === NR) {
        for (; i + MR <= m; i += MR) tile4x8(a, aRow, aCol, i, k0, kc, panel, c, n, j0, first)
        for (; i < m; i++) tile1x8(a, aRow, aCol, i, k0, kc, panel, c, n, j0, first)
      } else {
        for (; i < m; i++) tileScalar(a, aRow, aCol, i, k0, kc, panel, c, n, j0, width, first)
      }
    }
  }
}

/**
 * The filter gradient of a 2-D convolution (NHWC input x[nb, h, w, ci], output gradient
 * dy[nb, oh, ow, co], no dilation) as an implicit GEMM, without an im2col copy:
 * dW[kh, kw, ci, co] = sum over (image, oy, ox) of x[image, oy sh + kh - pt, ox sw + kw - pl, ci]
 * dy[image, oy, ox, co], the sum running over images, then output rows, then columns, skipping
 * taps that fall in the padding. Images are the outer loop so one image's x and dy stay in cache.
 */
export function conv2dFilterGradient(
  x: usize,
  dy: usize,
  dw: usize,
  nb: i32,
  h: i32,
  w: i32,
  ci: i32,
  oh: i32,
  ow: i32,
  co: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
): void {
  memory.fill(dw, 0, <usize>(fh * fw * ci * co) * 4)
  const xImage = h * w * ci
  const dyImage = oh * ow * co
  for (let img = 0; img < nb; img++) {
    const xi = x + <usize>(img * xImage) * 4
    const dyi = dy + <usize>(img * dyImage) * 4
    for (let ky = 0; ky < fh; ky++) {
      // Output rows whose tap ky lands inside the image: 0 <= oy sh + ky - pt < h.
      const oy0 = firstInside(ky - pt, sh)
      const oy1 = min(oh, endInside(ky - pt, sh, h))
      for (let kx = 0; kx < fw; kx++) {
        const ox0 = firstInside(kx - pl, sw)
        const ox1 = min(ow, endInside(kx - pl, sw, w))
        if (oy1 <= oy0 || ox1 <= ox0) continue
        const tap = dw + <usize>((ky * fw + kx) * ci * co) * 4
        let c = 0
        for (; c + MR <= ci; c += MR) {
          let o = 0
          for (; o + NR <= co; o += NR)
            filterTile4x8(xi, dyi, tap, w, ci, ow, co, c, o, ky, kx, sh, sw, pt, pl, oy0, oy1, ox0, ox1)
          for (; o < co; o++)
            for (let r = 0; r < MR; r++)
              filterScalar(xi, dyi, tap, w, ci, ow, co, c + r, o, ky, kx, sh, sw, pt, pl, oy0, oy1, ox0, ox1)
        }
        for (; c < ci; c++) {
          let o = 0
          for (; o + NR <= co; o += NR)
            filterTile1x8(xi, dyi, tap, w, ci, ow, co, c, o, ky, kx, sh, sw, pt, pl, oy0, oy1, ox0, ox1)
          for (; o < co; o++)
            filterScalar(xi, dyi, tap, w, ci, ow, co, c, o, ky, kx, sh, sw, pt, pl, oy0, oy1, ox0, ox1)
        }
      }
    }
  }
}

// The first output index o >= 0 with o s + offset >= 0.
function firstInside(offset: i32, s: i32): i32 {
  return offset >= 0 ? 0 : (s - 1 - offset) / s
}

// One past the last output index o with o s + offset < size (0 when there is none).
function endInside(offset: i32, s: i32, size: i32): i32 {
  const room = size - 1 - offset
  return room < 0 ? 0 : room / s + 1
}

function filterTile4x8(
  xi: usize,
  dyi: usize,
  tap: usize,
  w: i32,
  ci: i32,
  ow: i32,
  co: i32,
  c: i32,
  o: i32,
  ky: i32,
  kx: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  oy0: i32,
  oy1: i32,
  ox0: i32,
  ox1: i32,
): void {
  const d0 = tap + <usize>(c * co + o) * 4
  const d1 = d0 + <usize>co * 4
  const d2 = d1 + <usize>co * 4
  const d3 = d2 + <usize>co * 4
  let x00 = v128.load(d0),
    x01 = v128.load(d0, 16)
  let x10 = v128.load(d1),
    x11 = v128.load(d1, 16)
  let x20 = v128.load(d2),
    x21 = v128.load(d2, 16)
  let x30 = v128.load(d3),
    x31 = v128.load(d3, 16)
  const xStep = <usize>(sw * ci) * 4
  const dyStep = <usize>co * 4
  for (let oy = oy0; oy < oy1; oy++) {
    const iy = oy * sh + ky - pt
    let px = xi + <usize>((iy * w + ox0 * sw + kx - pl) * ci + c) * 4
    let pd = dyi + <usize>((oy * ow + ox0) * co + o) * 4
    for (let ox = ox0; ox < ox1; ox++) {
      const b0 = v128.load(pd)
      const b1 = v128.load(pd, 16)
      const a0 = f32x4.splat(load<f32>(px))
      const a1 = f32x4.splat(load<f32>(px, 4))
      const a2 = f32x4.splat(load<f32>(px, 8))
      const a3 = f32x4.splat(load<f32>(px, 12))
      x00 = f32x4.add(x00, f32x4.mul(a0, b0))
      x01 = f32x4.add(x01, f32x4.mul(a0, b1))
      x10 = f32x4.add(x10, f32x4.mul(a1, b0))
      x11 = f32x4.add(x11, f32x4.mul(a1, b1))
      x20 = f32x4.add(x20, f32x4.mul(a2, b0))
      x21 = f32x4.add(x21, f32x4.mul(a2, b1))
      x30 = f32x4.add(x30, f32x4.mul(a3, b0))
      x31 = f32x4.add(x31, f32x4.mul(a3, b1))
      px += xStep
      pd += dyStep
    }
  }
  v128.store(d0, x00)
  v128.store(d0, x01, 16)
  v128.store(d1, x10)
  v128.store(d1, x11, 16)
  v128.store(d2, x20)
  v128.store(d2, x21, 16)
  v128.store(d3, x30)
  v128.store(d3, x31, 16)
}

function filterTile1x8(
  xi: usize,
  dyi: usize,
  tap: usize,
  w: i32,
  ci: i32,
  ow: i32,
  co: i32,
  c: i32,
  o: i32,
  ky: i32,
  kx: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  oy0: i32,
  oy1: i32,
  ox0: i32,
  ox1: i32,
): void {
  const d0 = tap + <usize>(c * co + o) * 4
  let x0 = v128.load(d0),
    x1 = v128.load(d0, 16)
  const xStep = <usize>(sw * ci) * 4
  const dyStep = <usize>co * 4
  for (let oy = oy0; oy < oy1; oy++) {
    const iy = oy * sh + ky - pt
    let px = xi + <usize>((iy * w + ox0 * sw + kx - pl) * ci + c) * 4
    let pd = dyi + <usize>((oy * ow + ox0) * co + o) * 4
    for (let ox = ox0; ox < ox1; ox++) {
      const a0 = f32x4.splat(load<f32>(px))
      x0 = f32x4.add(x0, f32x4.mul(a0, v128.load(pd)))
      x1 = f32x4.add(x1, f32x4.mul(a0, v128.load(pd, 16)))
      px += xStep
      pd += dyStep
    }
  }
  v128.store(d0, x0)
  v128.store(d0, x1, 16)
}

function filterScalar(
  xi: usize,
  dyi: usize,
  tap: usize,
  w: i32,
  ci: i32,
  ow: i32,
  co: i32,
  c: i32,
  o: i32,
  ky: i32,
  kx: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  oy0: i32,
  oy1: i32,
  ox0: i32,
  ox1: i32,
): void {
  const d = tap + <usize>(c * co + o) * 4
  let s = load<f32>(d)
  for (let oy = oy0; oy < oy1; oy++) {
    const iy = oy * sh + ky - pt
    let px = xi + <usize>((iy * w + ox0 * sw + kx - pl) * ci + c) * 4
    let pd = dyi + <usize>((oy * ow + ox0) * co + o) * 4
    for (let ox = ox0; ox < ox1; ox++) {
      s += load<f32>(px) * load<f32>(pd)
      px += <usize>(sw * ci) * 4
      pd += <usize>co * 4
    }
  }
  store<f32>(d, s)
}

/**
 * The gradient of max pooling (NHWC x[nb, h, w, c], dy[nb, oh, ow, c], no dilation): each window
 * adds its dy to the first position, in row order, holding its maximum (a strict `>` from -inf,
 * so NaNs and all -inf windows send nothing), four channels at a time. Windows are visited in
 * order, so overlapping ones add in a fixed order. dx is zeroed here. The dimensions are those of
 * `conv2dFilterGradient` (`co`, the output's channels, equals `c` for pooling).
 */
export function maxPoolGrad(
  x: usize,
  dy: usize,
  dx: usize,
  nb: i32,
  h: i32,
  w: i32,
  c: i32,
  oh: i32,
  ow: i32,
  _co: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
): void {
  memory.fill(dx, 0, <usize>(nb * h * w * c) * 4)
  const lanes = i32x4(0, 1, 2, 3)
  for (let n = 0; n < nb; n++)
    for (let oy = 0; oy < oh; oy++) {
      const y0 = max(0, oy * sh - pt)
      const y1 = min(h, oy * sh - pt + fh)
      for (let ox = 0; ox < ow; ox++) {
        const x0 = max(0, ox * sw - pl)
        const x1 = min(w, ox * sw - pl + fw)
        const from = ((n * oh + oy) * ow + ox) * c
        let ch = 0
        for (; ch + 4 <= c; ch += 4) {
          let best = f32x4.splat(-Infinity)
          let at = i32x4.splat(-1)
          for (let y = y0; y < y1; y++)
            for (let xx = x0; xx < x1; xx++) {
              const i = ((n * h + y) * w + xx) * c + ch
              const v = v128.load(x + ((<usize>i) << 2))
              const gt = f32x4.gt(v, best)
              best = v128.bitselect(v, best, gt)
              at = v128.bitselect(i32x4.add(i32x4.splat(i), lanes), at, gt)
            }
          addAt(dx, dy, i32x4.extract_lane(at, 0), from + ch)
          addAt(dx, dy, i32x4.extract_lane(at, 1), from + ch + 1)
          addAt(dx, dy, i32x4.extract_lane(at, 2), from + ch + 2)
          addAt(dx, dy, i32x4.extract_lane(at, 3), from + ch + 3)
        }
        for (; ch < c; ch++) {
          let best: f32 = -Infinity
          let at = -1
          for (let y = y0; y < y1; y++)
            for (let xx = x0; xx < x1; xx++) {
              const i = ((n * h + y) * w + xx) * c + ch
              const v = load<f32>(x + ((<usize>i) << 2))
              if (v > best) {
                best = v
                at = i
              }
            }
          addAt(dx, dy, at, from + ch)
        }
      }
    }
}

// dx[at] += dy[from] when a window found a maximum (at >= 0).
function addAt(dx: usize, dy: usize, at: i32, from: i32): void {
  if (at < 0) return
  const p = dx + ((<usize>at) << 2)
  store<f32>(p, load<f32>(p) + load<f32>(dy + ((<usize>from) << 2)))
}
