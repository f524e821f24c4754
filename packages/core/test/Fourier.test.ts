import assert from "node:assert/strict"
import { test } from "node:test"
import { Fourier, Random } from "@vicinal/core"
import * as fc from "fast-check"

// The reference's mask: numpy.fft.irfftn of the half spectrum (times H W), summed directly.
const direct = (height: number, width: number, decay: number, seed: number): Float64Array => {
  const rng = Random.make(seed)
  const columns = (width >> 1) + 1
  const spectrum: Array<[number, number]> = []
  for (let ky = 0; ky < height; ky++)
    for (let kx = 0; kx < columns; kx++) {
      const fy = ky <= (height - 1) >> 1 ? ky / height : (ky - height) / height
      const f = Math.max(Math.hypot(kx / width, fy), 1 / Math.max(height, width))
      spectrum.push([rng.normal() / f ** decay, rng.normal() / f ** decay])
    }
  const image = new Float64Array(height * width)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let ky = 0; ky < height; ky++)
        for (let kx = 0; kx < columns; kx++) {
          const [a, b] = spectrum[ky * columns + kx]!
          const angle = 2 * Math.PI * ((ky * y) / height + (kx * x) / width)
          const weight = kx === 0 || 2 * kx === width ? 1 : 2
          image[y * width + x]! += weight * (a * Math.cos(angle) - b * Math.sin(angle))
        }
  return image
}

test("the low-frequency image is the real inverse DFT of its spectrum (odd and even sizes)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.double({ min: 0.5, max: 5, noNaN: true }),
      fc.integer(),
      (h, w, decay, seed) => {
        const ours = Fourier.lowFrequencyImage(h, w, decay, Random.make(seed))
        const reference = direct(h, w, decay, seed)
        const scale = Math.max(...reference.map(Math.abs), 1e-300)
        for (let i = 0; i < ours.length; i++) assert.ok(Math.abs(ours[i]! - reference[i]!) <= 1e-9 * scale)
      },
    ),
    { numRuns: 60 },
  )
})

test("the mask keeps lambda of the pixels (rounded to a whole pixel), the highest ones", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 12 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer(),
      (h, w, lambda, seed) => {
        const image = Fourier.lowFrequencyImage(h, w, 3, Random.make(seed))
        const { pasted, kept } = Fourier.binarise(image, lambda, Random.make(seed + 1))
        const keptPixels = pasted.reduce((s, v) => s + (v === 0 ? 1 : 0), 0)
        assert.equal(kept, keptPixels / (h * w))
        assert.ok(Math.abs(kept - lambda) <= 1 / (h * w))
        // Every kept pixel is at least as high as every pasted one.
        let lowestKept = Number.POSITIVE_INFINITY
        let highestPasted = Number.NEGATIVE_INFINITY
        pasted.forEach((p, i) => {
          if (p === 0) lowestKept = Math.min(lowestKept, image[i]!)
          else highestPasted = Math.max(highestPasted, image[i]!)
        })
        assert.ok(lowestKept >= highestPasted)
      },
    ),
  )
})

test("a larger decay gives smoother masks: fewer borders between kept and pasted pixels", () => {
  const borders = (decay: number) => {
    let total = 0
    for (let seed = 0; seed < 20; seed++) {
      const { pasted } = Fourier.sampleMask(0.5, 32, 32, decay, Random.make(seed))
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 31; x++) if (pasted[y * 32 + x] !== pasted[y * 32 + x + 1]) total++
    }
    return total
  }
  const rough = borders(0.5)
  const smooth = borders(4)
  assert.ok(smooth * 2 < rough, `decay 4: ${smooth} borders, decay 0.5: ${rough}`)
})

const complexImage = fc
  .record({ height: fc.integer({ min: 1, max: 7 }), width: fc.integer({ min: 1, max: 7 }) })
  .chain(({ height, width }) =>
    fc
      .array(fc.double({ min: -10, max: 10, noNaN: true }), {
        minLength: 2 * height * width,
        maxLength: 2 * height * width,
      })
      .map((v) => ({
        height,
        width,
        re: Float64Array.from(v.slice(0, height * width)),
        im: Float64Array.from(v.slice(height * width)),
      })),
  )

test("dft2 is the 2-D DFT summed directly (numpy's fft2), and inverse undoes it", () => {
  fc.assert(
    fc.property(complexImage, ({ height, width, re, im }) => {
      const spectrum = Fourier.dft2({ re, im }, height, width)
      for (let ky = 0; ky < height; ky++)
        for (let kx = 0; kx < width; kx++) {
          let sRe = 0
          let sIm = 0
          for (let y = 0; y < height; y++)
            for (let x = 0; x < width; x++) {
              const angle = -2 * Math.PI * ((ky * y) / height + (kx * x) / width)
              const [a, b] = [re[y * width + x]!, im[y * width + x]!]
              sRe += a * Math.cos(angle) - b * Math.sin(angle)
              sIm += a * Math.sin(angle) + b * Math.cos(angle)
            }
          assert.ok(Math.abs(spectrum.re[ky * width + kx]! - sRe) < 1e-9 * (1 + Math.abs(sRe)))
          assert.ok(Math.abs(spectrum.im[ky * width + kx]! - sIm) < 1e-9 * (1 + Math.abs(sIm)))
        }
      const back = Fourier.dft2(spectrum, height, width, true)
      for (let p = 0; p < re.length; p++) {
        assert.ok(Math.abs(back.re[p]! - re[p]!) < 1e-9)
        assert.ok(Math.abs(back.im[p]! - im[p]!) < 1e-9)
      }
    }),
    { numRuns: 60 },
  )
})
