import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { Random } from "@vicinal/core"
import * as fc from "fast-check"
import { ImageTransforms } from "../src/index.ts"

const solid = (
  width: number,
  height: number,
  rgb: readonly [number, number, number],
): ImageTransforms.RgbImage => ({
  width,
  height,
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => rgb[i % 3]!),
})

/** Pixel value = column index (0..width-1) in every channel: shows shifts and flips. */
const ramp = (width: number, height: number): ImageTransforms.RgbImage => ({
  width,
  height,
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => Math.floor(i / 3) % width),
})

describe("ImageNet transforms (torchvision's pipeline on decoded RGB images)", () => {
  test("Python's round: halves to even", () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(ImageTransforms.roundHalfEven), [0, 2, 2, 0, 2, 3])
  })

  test("property: the random resized window is non-empty and inside the image, for any size; the same seed gives the same window", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 10_000 }),
        (h, w, seed) => {
          const win = ImageTransforms.randomResizedWindow(h, w, Random.make(seed))
          assert.deepEqual(win, ImageTransforms.randomResizedWindow(h, w, Random.make(seed)))
          assert.ok(win.top >= 0 && win.left >= 0 && win.height >= 1 && win.width >= 1)
          assert.ok(win.top + win.height <= h && win.left + win.width <= w)
        },
      ),
    ))

  test("training output: 224 x 224 x 3, a solid colour normalises to ((c / 255) - mean) / std everywhere", () => {
    const out = ImageTransforms.trainTransform(solid(320, 240, [255, 128, 0]), Random.make(1))
    assert.equal(out.length, 224 * 224 * 3)
    const expected = [255, 128, 0].map(
      (v, c) => (v / 255 - ImageTransforms.IMAGENET_MEAN[c]!) / ImageTransforms.IMAGENET_STD[c]!,
    )
    for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i]! - expected[i % 3]!) < 1e-5)
  })

  test("evaluation: shorter side to 256, centre 224; on a 512 x 256 ramp the crop starts at resized column 144", () => {
    const out = ImageTransforms.evalTransform(ramp(512, 256))
    assert.equal(out.length, 224 * 224 * 3)
    // resized width 512 (no change: the height is already 256), left = round((512 - 224) / 2) = 144
    const first = out[0]! * ImageTransforms.IMAGENET_STD[0] + ImageTransforms.IMAGENET_MEAN[0]
    assert.ok(Math.abs(first * 255 - 144) < 1e-3, String(first * 255))
  })

  test("flip mirrors columns and twice is the identity (property)", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 5 }), (w, h) => {
        const pixels = Float32Array.from({ length: w * h * 3 }, (_, i) => i)
        const flipped = ImageTransforms.flipInPlace(Float32Array.from(pixels), w)
        assert.equal(flipped[0], pixels[(w - 1) * 3])
        assert.deepEqual(ImageTransforms.flipInPlace(flipped, w), pixels)
      }),
    ))

  test("a malformed image is a typed InvalidArgument naming image", () => {
    assert.throws(
      () => ImageTransforms.evalTransform({ width: 4, height: 4, data: new Uint8Array(10) }),
      (e: unknown) => (e as { _tag?: string })._tag === "InvalidArgument" && String(e).includes("image"),
    )
  })
})
