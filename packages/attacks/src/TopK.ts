/**
 * Host-side ranking of logits rows (`[n * classes]`, row-major). Ties are broken towards the
 * lower class index, as `argMax` does, so top-1 here agrees with `tf.argMax`.
 */

const row = (
  logits: ArrayLike<number>,
  classes: number,
  i: number,
  pick: (a: number, b: number) => boolean,
): number => {
  let best = 0
  for (let c = 1; c < classes; c++)
    if (pick(logits[i * classes + c] as number, logits[i * classes + best] as number)) best = c
  return best
}

/** Per row, the index of the largest logit. */
export const argMax = (logits: ArrayLike<number>, classes: number): Int32Array =>
  Int32Array.from({ length: logits.length / classes }, (_, i) => row(logits, classes, i, (a, b) => a > b))

/** Per row, the index of the smallest logit (the least-likely class). */
export const argMin = (logits: ArrayLike<number>, classes: number): Int32Array =>
  Int32Array.from({ length: logits.length / classes }, (_, i) => row(logits, classes, i, (a, b) => a < b))

/** Per row, the 0-based rank of `labels[i]` among the logits (0 = top-1). */
export const rankOf = (logits: ArrayLike<number>, classes: number, labels: Int32Array): Int32Array =>
  Int32Array.from(labels, (label, i) => {
    const own = logits[i * classes + label] as number
    let rank = 0
    for (let c = 0; c < classes; c++) {
      const v = logits[i * classes + c] as number
      if (v > own || (v === own && c < label)) rank++
    }
    return rank
  })

/** How many rows have their label outside the top `k` (k >= classes: none). */
export const errors = (ranks: Int32Array, k: number): number =>
  ranks.reduce((n, r) => n + (r >= k ? 1 : 0), 0)
