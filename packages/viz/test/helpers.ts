import assert from "node:assert/strict"
import type { Errors } from "@vicinal/viz"
import { Effect } from "effect"
import { decode } from "fast-png"
import { XMLValidator } from "fast-xml-parser"

export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** The typed error an Effect fails with (fails the test if it succeeds or dies). */
export const failure = async <A, E>(effect: Effect.Effect<A, E>): Promise<E> => {
  const outcome = await Effect.runPromise(
    Effect.match(effect, {
      onFailure: (error) => ({ failed: true as const, error }),
      onSuccess: () => ({ failed: false as const }),
    }),
  )
  if (!outcome.failed) return assert.fail("expected a failure, got a success")
  return outcome.error
}

/** Asserts an InvalidArgument whose argument starts with `argument`. */
export const assertInvalid = async <A, E>(
  effect: Effect.Effect<A, E>,
  argument: string,
): Promise<Errors.InvalidArgument> => {
  const error = (await failure(effect)) as Errors.InvalidArgument
  assert.equal(error._tag, "InvalidArgument")
  assert.ok(
    error.argument.startsWith(argument),
    `argument ${JSON.stringify(error.argument)} should start with ${JSON.stringify(argument)}`,
  )
  assert.ok(error.message.includes(error.argument), "the message names the argument")
  return error
}

export const assertWellFormed = (svg: string): void => {
  const result = XMLValidator.validate(svg)
  assert.equal(result, true, JSON.stringify(result))
  assert.match(svg, /^<svg\b/)
}

const entities: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
}

/** The text content of every <text> element, unescaped. */
export const texts = (svg: string): ReadonlyArray<string> =>
  [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replace(/&(amp|lt|gt|quot|#39);/g, (e) => entities[e]!),
  )

export interface Decoded {
  readonly width: number
  readonly height: number
  /** RGB(A) bytes of pixel (x, y). */
  readonly pixel: (x: number, y: number) => ReadonlyArray<number>
}

export const decodePng = (png: Uint8Array): Decoded => {
  const image = decode(png)
  assert.equal(image.depth, 8)
  const channels = image.channels
  return {
    width: image.width,
    height: image.height,
    pixel: (x, y) => {
      const at = (Math.floor(y) * image.width + Math.floor(x)) * channels
      return Array.from(image.data.subarray(at, at + 3))
    },
  }
}

/** Index of the colour whose direction away from white is closest to that of `rgb` (tints of one colour share it). */
export const nearestTintOf = (
  rgb: ReadonlyArray<number>,
  colours: ReadonlyArray<readonly [number, number, number]>,
): number => {
  const d = rgb.map((v) => 255 - v)
  const norm = Math.hypot(...d)
  let best = -1
  let bestCos = -2
  colours.forEach((c, k) => {
    const e = c.map((v) => 255 - v)
    const cos = (d[0]! * e[0]! + d[1]! * e[1]! + d[2]! * e[2]!) / (norm * Math.hypot(...e))
    if (cos > bestCos) {
      bestCos = cos
      best = k
    }
  })
  return best
}
