/** Per-epoch metrics as CSV rows (one file per run, and one for a whole experiment). */
import type { EpochMetrics } from "@vicinal/train"

export const columns = [
  "epoch",
  "trainLoss",
  "learningRate",
  "testTop1Error",
  "testTop5Error",
  "bestTestError",
  "trainError",
  "trainErrorTrue",
  "realTrainError",
  "corruptedTrainError",
  "seconds",
] as const

const cell = (value: unknown): string => {
  if (value === undefined || value === null) return ""
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : ""
  const text = String(value)
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** CSV of epoch metrics; epochs are 1-based in the file, as people count them. `keys` prefix each row. */
export const csv = (
  rows: ReadonlyArray<{
    readonly keys: Readonly<Record<string, string | number>>
    readonly history: ReadonlyArray<EpochMetrics>
  }>,
): string => {
  const keyNames = [...new Set(rows.flatMap((r) => Object.keys(r.keys)))]
  const header = [...keyNames, ...columns].join(",")
  const lines = rows.flatMap((r) =>
    r.history.map((m) =>
      [
        ...keyNames.map((k) => cell(r.keys[k])),
        ...columns.map((c) => cell(c === "epoch" ? m.epoch + 1 : m[c])),
      ].join(","),
    ),
  )
  return `${[header, ...lines].join("\n")}\n`
}
