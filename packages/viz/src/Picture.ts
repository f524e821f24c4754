/**
 * A picture is an SVG document with its size in CSS pixels. Every builder in this package
 * returns one; `toPng` rasterises it (resvg compiled to WebAssembly, with the DejaVu Sans
 * font shipped in an npm package, so the PNG looks the same on every machine and runtime)
 * and `write` saves both files.
 */
import { Buffer } from "node:buffer"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname } from "node:path"
import { initWasm, Resvg } from "@resvg/resvg-wasm"
import { Effect } from "effect"
import { dual } from "effect/Function"
import * as Check from "./Check.ts"
import { InvalidArgument, RenderFailed, WriteFailed } from "./Errors.ts"

export interface Picture {
  readonly svg: string
  readonly width: number
  readonly height: number
}

export interface PngOptions {
  /** Device pixels per SVG pixel (default 2: crisp on high-density screens and in print). */
  readonly scale?: number
}

const require = createRequire(import.meta.url)

interface Rasteriser {
  readonly font: Uint8Array
}

// resvg's WebAssembly module can be initialised once per process; share the promise.
let rasteriser: Promise<Rasteriser> | undefined
const loadRasteriser = (): Promise<Rasteriser> => {
  if (rasteriser === undefined) {
    rasteriser = (async () => {
      const [wasm, font] = await Promise.all([
        readFile(require.resolve("@resvg/resvg-wasm/index_bg.wasm")),
        readFile(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
      ])
      await initWasm(wasm)
      return { font: new Uint8Array(font) }
    })()
    rasteriser.catch(() => {
      rasteriser = undefined
    })
  }
  return rasteriser
}

const rasterise = (svg: string, scale: number, font: Uint8Array): Uint8Array => {
  const resvg = new Resvg(svg, {
    font: {
      fontBuffers: [font],
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
  })
  try {
    const image = resvg.render()
    try {
      return image.asPng()
    } finally {
      image.free()
    }
  } finally {
    resvg.free()
  }
}

/** PNG bytes of the picture, `scale` × its size (fails with `RenderFailed` if resvg cannot parse the SVG). */
export const toPng: {
  (options?: PngOptions): (picture: Picture) => Effect.Effect<Uint8Array, InvalidArgument | RenderFailed>
  (picture: Picture, options?: PngOptions): Effect.Effect<Uint8Array, InvalidArgument | RenderFailed>
} = dual(
  (args) => typeof args[0] === "object" && args[0] !== null && "svg" in args[0],
  (picture: Picture, options?: PngOptions): Effect.Effect<Uint8Array, InvalidArgument | RenderFailed> => {
    const scale = options?.scale ?? 2
    return Effect.andThen(
      Check.positiveFinite("options.scale", scale),
      Effect.tryPromise({
        try: async () => rasterise(picture.svg, scale, (await loadRasteriser()).font),
        catch: (cause) => new RenderFailed({ stage: "png", cause }),
      }),
    )
  },
)

/** Writes `<basePath>.svg` and `<basePath>.png` (creating the folder) and returns both paths. */
export const write: {
  (
    basePath: string,
    options?: PngOptions,
  ): (
    picture: Picture,
  ) => Effect.Effect<
    { readonly svg: string; readonly png: string },
    InvalidArgument | RenderFailed | WriteFailed
  >
  (
    picture: Picture,
    basePath: string,
    options?: PngOptions,
  ): Effect.Effect<
    { readonly svg: string; readonly png: string },
    InvalidArgument | RenderFailed | WriteFailed
  >
} = dual(
  (args) => typeof args[0] === "object" && args[0] !== null && "svg" in args[0],
  (picture: Picture, basePath: string, options?: PngOptions) =>
    Effect.gen(function* () {
      const png = yield* toPng(picture, options)
      const paths = { svg: `${basePath}.svg`, png: `${basePath}.png` }
      yield* Effect.tryPromise({
        try: async () => {
          await mkdir(dirname(basePath), { recursive: true })
          await writeFile(paths.svg, picture.svg)
          await writeFile(paths.png, png)
        },
        catch: (cause) => new WriteFailed({ path: basePath, cause }),
      })
      return paths
    }),
)

/** Base64 data URI of PNG bytes, for embedding rasters in SVG. */
export const pngDataUri = (png: Uint8Array): string =>
  `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64")}`

const escapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
}

/** Text safe inside SVG elements and attribute values. */
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => escapes[c]!)

// Vega writes `width="534" height="314"` on the root element.
const rootSize = (svg: string): { width: number; height: number } | undefined => {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0]
  const width = root === undefined ? undefined : /\swidth="([\d.]+)"/.exec(root)?.[1]
  const height = root === undefined ? undefined : /\sheight="([\d.]+)"/.exec(root)?.[1]
  return width === undefined || height === undefined
    ? undefined
    : { width: Number(width), height: Number(height) }
}

/** A picture from an SVG document whose root element carries numeric `width` and `height`. */
export const fromSvg = (svg: string): Effect.Effect<Picture, InvalidArgument> => {
  const size = rootSize(svg)
  return size === undefined
    ? Effect.fail(
        new InvalidArgument({
          argument: "svg",
          value: svg.slice(0, 80),
          expected: "must be an SVG document whose root element has numeric width and height",
        }),
      )
    : Effect.succeed({ svg, ...size })
}

// Nested documents must not share element ids (Vega names its clip paths clip1, clip2, ...).
const prefixIds = (svg: string, prefix: string): string =>
  svg
    .replace(/<\?xml[^>]*>/, "")
    .replace(/\sid="([^"]+)"/g, ` id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`)

export interface BesideOptions {
  /** Space between pictures in pixels (default 16). */
  readonly gap?: number
  /** A caption centred above each picture, e.g. ["ERM", "mixup"]. */
  readonly labels?: ReadonlyArray<string>
}

const labelHeight = 26

/** Pictures side by side, top-aligned, left to right (e.g. ERM | mixup). */
export const beside = (
  pictures: ReadonlyArray<Picture>,
  options?: BesideOptions,
): Effect.Effect<Picture, InvalidArgument> => {
  const gap = options?.gap ?? 16
  const labels = options?.labels
  return Effect.andThen(
    Check.all([
      Check.nonEmpty("pictures", pictures),
      Check.integerInRange("options.gap", gap, 0),
      labels === undefined
        ? Effect.void
        : Check.length("options.labels", labels, pictures.length, "one per picture"),
    ]),
    Effect.sync(() => {
      const top = labels === undefined ? 0 : labelHeight
      const width = pictures.reduce((sum, p) => sum + p.width, 0) + gap * (pictures.length - 1)
      const height = top + Math.max(...pictures.map((p) => p.height))
      const parts: Array<string> = []
      let x = 0
      pictures.forEach((picture, i) => {
        if (labels !== undefined)
          parts.push(
            `<text x="${x + picture.width / 2}" y="${labelHeight - 8}" text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold" fill="#222">${escapeXml(labels[i]!)}</text>`,
          )
        const inner = prefixIds(picture.svg, `p${i}-`).replace(/<svg\b/, `<svg x="${x}" y="${top}"`)
        parts.push(inner)
        x += picture.width + gap
      })
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="white"/>${parts.join("")}</svg>`
      return { svg, width, height }
    }),
  )
}
