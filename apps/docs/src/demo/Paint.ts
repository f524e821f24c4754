/** Draws a decision boundary (P(class 1) on a grid) and the training points onto a canvas. */
import type { Bounds } from "./Demo.ts"

// Class 0 blue, class 1 orange, white where the network is undecided (p = 0.5).
const BLUE = [59, 130, 246] as const
const ORANGE = [249, 115, 22] as const

const blend = (p: number): readonly [number, number, number] => {
  const [towards, t] = p < 0.5 ? [BLUE, (0.5 - p) * 2] : [ORANGE, (p - 0.5) * 2]
  const mix = (c: number) => Math.round(255 + (c - 255) * Math.min(1, t) * 0.85)
  return [mix(towards[0]), mix(towards[1]), mix(towards[2])]
}

export const paint = (
  canvas: HTMLCanvasElement,
  probabilities: Float32Array,
  size: number,
  points: Float32Array,
  labels: Int32Array,
  bounds: Bounds,
): void => {
  const ctx = canvas.getContext("2d")
  if (ctx === null) return
  const image = new ImageData(size, size)
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = blend(probabilities[i] ?? 0.5)
    image.data.set([r, g, b, 255], 4 * i)
  }
  const grid = document.createElement("canvas")
  grid.width = size
  grid.height = size
  grid.getContext("2d")?.putImageData(image, 0, 0)
  ctx.imageSmoothingEnabled = true
  ctx.drawImage(grid, 0, 0, canvas.width, canvas.height)
  const px = (x: number) => ((x - bounds.x0) / (bounds.x1 - bounds.x0)) * canvas.width
  const py = (y: number) => ((bounds.y1 - y) / (bounds.y1 - bounds.y0)) * canvas.height
  for (let i = 0; i < labels.length; i++) {
    const [r, g, b] = labels[i] === 1 ? ORANGE : BLUE
    ctx.beginPath()
    ctx.arc(px(points[2 * i]!), py(points[2 * i + 1]!), 3.5, 0, 2 * Math.PI)
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`
    ctx.fill()
    ctx.lineWidth = 1
    ctx.strokeStyle = "#1f2937"
    ctx.stroke()
  }
}
