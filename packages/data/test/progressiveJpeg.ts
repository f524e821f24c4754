/**
 * A minimal progressive JPEG writer for tests (jpeg-js encodes baseline 4:4:4 only): YCbCr with
 * 4:2:0 chroma subsampling, one interleaved DC scan, then one spectral-selection AC scan
 * (coefficients 1..63) per component, no successive approximation. Quantisation is a flat 2 so
 * the decoded pixels stay within a few levels of the input; the Huffman tables give every symbol
 * a code of fixed length (4 bits for DC categories, 8 for AC symbols), valid if not optimal.
 * Width and height must be multiples of 16 (whole MCUs).
 */

const QUANT = 2

// Zigzag position k -> row-major index in the 8x8 block.
const ZIGZAG: ReadonlyArray<number> = (() => {
  const order: Array<number> = []
  for (let s = 0; s < 15; s++)
    for (let i = 0; i <= s; i++) {
      const row = s % 2 === 0 ? s - i : i
      const col = s - row
      if (row < 8 && col < 8) order.push(row * 8 + col)
    }
  return order
})()

const fdct = (block: Float64Array): Int32Array => {
  const out = new Int32Array(64)
  for (let v = 0; v < 8; v++)
    for (let u = 0; u < 8; u++) {
      let sum = 0
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++)
          sum +=
            block[y * 8 + x]! *
            Math.cos(((2 * x + 1) * u * Math.PI) / 16) *
            Math.cos(((2 * y + 1) * v * Math.PI) / 16)
      const cu = u === 0 ? Math.SQRT1_2 : 1
      const cv = v === 0 ? Math.SQRT1_2 : 1
      out[v * 8 + u] = Math.round((0.25 * cu * cv * sum) / QUANT)
    }
  return out
}

class BitWriter {
  readonly bytes: Array<number> = []
  private acc = 0
  private count = 0
  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1)
      this.count++
      if (this.count === 8) {
        this.bytes.push(this.acc)
        if (this.acc === 0xff) this.bytes.push(0)
        this.acc = 0
        this.count = 0
      }
    }
  }
  flush(): Array<number> {
    if (this.count > 0) this.write((1 << (8 - this.count)) - 1, 8 - this.count)
    return this.bytes
  }
}

const category = (v: number): number => (v === 0 ? 0 : Math.floor(Math.log2(Math.abs(v))) + 1)
const magnitude = (v: number, size: number): number => (v >= 0 ? v : v + (1 << size) - 1)

// Canonical codes: DC categories 0..11 get codes 0..11 of 4 bits; AC symbols codes 0..161 of 8 bits.
const AC_SYMBOLS: ReadonlyArray<number> = [
  0x00,
  0xf0,
  ...Array.from({ length: 16 * 10 }, (_, i) => ((i % 16) << 4) | (Math.floor(i / 16) + 1)),
]
const acCode = new Map(AC_SYMBOLS.map((s, i) => [s, i]))

const segment = (marker: number, body: ReadonlyArray<number>): Array<number> => [
  0xff,
  marker,
  (body.length + 2) >> 8,
  (body.length + 2) & 0xff,
  ...body,
]

/** RGB bytes (HWC) -> a progressive 4:2:0 JPEG file. */
export const encodeProgressive = (width: number, height: number, rgb: Uint8Array): Uint8Array => {
  if (width % 16 !== 0 || height % 16 !== 0) throw new Error("width and height must be multiples of 16")
  const planes = [
    new Float64Array(width * height),
    new Float64Array(width * height),
    new Float64Array(width * height),
  ]
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = [rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!]
    planes[0]![i] = 0.299 * r + 0.587 * g + 0.114 * b
    planes[1]![i] = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    planes[2]![i] = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
  }
  // Blocks per component in raster order: luma full size, chroma averaged over 2x2.
  const blocksOf = (plane: Float64Array, scale: number) => {
    const w = width / scale
    const h = height / scale
    const sample = (x: number, y: number) => {
      let sum = 0
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) sum += plane[(y * scale + dy) * width + x * scale + dx]!
      return sum / (scale * scale)
    }
    const blocks: Array<Int32Array> = []
    for (let by = 0; by < h / 8; by++)
      for (let bx = 0; bx < w / 8; bx++) {
        const block = new Float64Array(64)
        for (let y = 0; y < 8; y++)
          for (let x = 0; x < 8; x++) block[y * 8 + x] = sample(bx * 8 + x, by * 8 + y) - 128
        blocks.push(fdct(block))
      }
    return { blocks, across: w / 8 }
  }
  const components = [blocksOf(planes[0]!, 1), blocksOf(planes[1]!, 2), blocksOf(planes[2]!, 2)]

  // DC scan, interleaved: per MCU (16x16 pixels) four luma blocks, then Cb, then Cr.
  const dc = new BitWriter()
  const predictors = [0, 0, 0]
  const writeDc = (c: number, block: Int32Array) => {
    const diff = block[0]! - predictors[c]!
    predictors[c] = block[0]!
    const size = category(diff)
    dc.write(size, 4)
    if (size > 0) dc.write(magnitude(diff, size), size)
  }
  const luma = components[0]!
  for (let my = 0; my < height / 16; my++)
    for (let mx = 0; mx < width / 16; mx++) {
      for (const [dy, dx] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ] as const)
        writeDc(0, luma.blocks[(my * 2 + dy) * luma.across + mx * 2 + dx]!)
      writeDc(1, components[1]!.blocks[my * components[1]!.across + mx]!)
      writeDc(2, components[2]!.blocks[my * components[2]!.across + mx]!)
    }

  const acScan = (blocks: ReadonlyArray<Int32Array>) => {
    const w = new BitWriter()
    for (const block of blocks) {
      let run = 0
      for (let k = 1; k < 64; k++) {
        const v = block[ZIGZAG[k]!]!
        if (v === 0) {
          run++
          continue
        }
        for (; run >= 16; run -= 16) w.write(acCode.get(0xf0)!, 8)
        const size = category(v)
        w.write(acCode.get((run << 4) | size)!, 8)
        w.write(magnitude(v, size), size)
        run = 0
      }
      if (run > 0) w.write(acCode.get(0x00)!, 8) // EOB (EOBRUN of 1)
    }
    return w.flush()
  }

  const dht = (klass: number, lengths: number, symbols: ReadonlyArray<number>) => {
    const bits = Array.from({ length: 16 }, (_, i) => (i + 1 === lengths ? symbols.length : 0))
    return [(klass << 4) | 0, ...bits, ...symbols]
  }
  const sos = (ids: ReadonlyArray<number>, ss: number, se: number) => [
    ids.length,
    ...ids.flatMap((id) => [id, 0x00]),
    ss,
    se,
    0x00,
  ]
  const bytes = [
    0xff,
    0xd8,
    ...segment(0xdb, [0x00, ...Array.from({ length: 64 }, () => QUANT)]),
    ...segment(0xc2, [
      8,
      height >> 8,
      height & 0xff,
      width >> 8,
      width & 0xff,
      3,
      1,
      0x22,
      0,
      2,
      0x11,
      0,
      3,
      0x11,
      0,
    ]),
    ...segment(
      0xc4,
      dht(
        0,
        4,
        Array.from({ length: 12 }, (_, i) => i),
      ),
    ),
    ...segment(0xc4, dht(1, 8, AC_SYMBOLS)),
    ...segment(0xda, sos([1, 2, 3], 0, 0)),
    ...dc.flush(),
    ...[1, 2, 3].flatMap((id) => [...segment(0xda, sos([id], 1, 63)), ...acScan(components[id - 1]!.blocks)]),
    0xff,
    0xd9,
  ]
  return Uint8Array.from(bytes)
}
