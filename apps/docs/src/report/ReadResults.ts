/**
 * Turns the CLI's results folder into tables and line plots for the results page. The format
 * is read generically (arrays of records become tables, numeric columns against an epoch or
 * step become plots) so that the page never needs numbers typed by hand and keeps working as
 * the CLI's files grow.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { basename, dirname, extname, join, relative } from "node:path"

export type Cell = string | number | boolean | null

export interface Table {
  readonly title: string
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<Cell>>
}

export interface Line {
  readonly name: string
  readonly points: ReadonlyArray<readonly [number, number]>
}

export interface Plot {
  readonly title: string
  readonly xLabel: string
  readonly lines: ReadonlyArray<Line>
}

export interface Section {
  readonly file: string
  readonly tables: ReadonlyArray<Table>
  readonly plots: ReadonlyArray<Plot>
  /** Markdown files are passed through as source; the page renders them. */
  readonly markdown?: string
}

/** One of the paper's claims as an experiment judged it (`summary.json`: `results.verdicts`). */
export interface Claim {
  /** The results folder it comes from, e.g. "quick". */
  readonly folder: string
  readonly claim: string
  readonly paper: string
  readonly ours: string
  readonly holds: string
}

export interface Results {
  readonly dir: string | undefined
  readonly sections: ReadonlyArray<Section>
  /** Image files (relative to the results folder), copied to the site by the build. */
  readonly images: ReadonlyArray<string>
  /** The paper's claims judged by the experiments, in page order. */
  readonly claims: ReadonlyArray<Claim>
}

/**
 * The order of the page: the demo first, then the paper's tables in its order; other folders
 * after them, alphabetically.
 */
export const FOLDER_ORDER: ReadonlyArray<string> = ["quick", "table2", "table3", "ablation"]

export const orderFolders = (names: ReadonlyArray<string>): ReadonlyArray<string> => {
  const rank = (name: string) => {
    const top = name.split("/")[0] ?? name
    const i = FOLDER_ORDER.indexOf(top)
    return i === -1 ? FOLDER_ORDER.length : i
  }
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
}

/** The verdicts an experiment's `summary.json` holds (none when it has none). */
export const claimsOf = (folder: string, summary: unknown): ReadonlyArray<Claim> => {
  const verdicts = isRecord(summary) && isRecord(summary.results) ? summary.results.verdicts : undefined
  return Array.isArray(verdicts)
    ? verdicts.flatMap((v) =>
        isRecord(v) && typeof v.claim === "string"
          ? [
              {
                folder,
                claim: v.claim,
                paper: String(v.paper ?? ""),
                ours: String(v.ours ?? ""),
                holds: String(v.holds ?? ""),
              },
            ]
          : [],
      )
    : []
}

const X_KEYS = ["epoch", "step", "iteration", "iter", "x"]
const METRIC = /error|loss|accuracy/i
/** Folders of a results tree that hold per-run copies or model files, not results to show. */
const SKIPPED_FOLDERS = new Set(["model", "runs", "checkpoints", "node_modules"])
const SKIPPED_FILES = new Set(["config.json", "model.json"])
/** JSON keys listing the folder's own picture files (shown as images already). */
const SKIPPED_KEYS = new Set(["pictures"])

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const isCell = (u: unknown): u is Cell =>
  u === null || typeof u === "string" || typeof u === "number" || typeof u === "boolean"

const finite = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u)

const tableOf = (title: string, records: ReadonlyArray<Record<string, unknown>>): Table => {
  const columns: Array<string> = []
  for (const r of records)
    for (const [k, v] of Object.entries(r)) if (isCell(v) && !columns.includes(k)) columns.push(k)
  return {
    title,
    columns,
    rows: records.map((r) => columns.map((c) => (isCell(r[c]) ? (r[c] as Cell) : null))),
  }
}

/** Numeric columns of records plotted against their epoch/step column, when they have one. */
const plotOfRecords = (title: string, records: ReadonlyArray<Record<string, unknown>>): Plot | undefined => {
  const xKey = X_KEYS.find((k) => records.every((r) => finite(r[k])))
  if (xKey === undefined || records.length < 2) return undefined
  const numeric = Object.keys(records[0] ?? {}).filter((k) => k !== xKey && records.some((r) => finite(r[k])))
  // Errors and losses share a scale; timings and learning rates would flatten them.
  const metrics = numeric.filter((k) => METRIC.test(k))
  const yKeys = metrics.length > 0 ? metrics : numeric
  const lines = yKeys.map((name) => ({
    name,
    points: records.flatMap((r) => (finite(r[name]) ? [[r[xKey] as number, r[name]] as const] : [])),
  }))
  return lines.length === 0 ? undefined : { title, xLabel: xKey, lines }
}

interface Found {
  tables: Array<Table>
  plots: Array<Plot>
}

const walk = (title: string, value: unknown, depth: number, found: Found): void => {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isRecord)) {
      found.tables.push(tableOf(title, value))
      const plot = plotOfRecords(title, value)
      if (plot !== undefined) found.plots.push(plot)
      // Nested series (e.g. each run's epoch history), named after the record's first text field.
      value.forEach((record, i) => {
        const name = Object.values(record).find((v) => typeof v === "string") ?? String(i)
        for (const [k, v] of Object.entries(record))
          if (!isCell(v)) walk(`${title} / ${String(name)} / ${k}`, v, depth + 1, found)
      })
    } else if (value.length > 1 && value.every(finite)) {
      found.plots.push({
        title,
        xLabel: "index",
        lines: [{ name: title, points: value.map((y, i) => [i + 1, y] as const) }],
      })
    }
    return
  }
  if (!isRecord(value) || depth > 4) return
  const scalars = Object.entries(value).filter(([, v]) => isCell(v))
  if (scalars.length > 0)
    found.tables.push({ title, columns: ["key", "value"], rows: scalars.map(([k, v]) => [k, v as Cell]) })
  for (const [k, v] of Object.entries(value))
    if (!isCell(v) && !SKIPPED_KEYS.has(k)) walk(`${title} / ${k}`, v, depth + 1, found)
}

/** The tables and plots found in one parsed JSON document. */
export const fromJson = (title: string, json: unknown): Found => {
  const found: Found = { tables: [], plots: [] }
  walk(title, json, 0, found)
  return found
}

const IMAGE = new Set([".png", ".svg", ".jpg", ".jpeg"])

const listFiles = (dir: string): Array<string> =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return SKIPPED_FOLDERS.has(name) ? [] : listFiles(path)
      return [path]
    })

/** Reads a results folder; a missing folder is "no results recorded yet", not an error. */
export const read = (dir: string | undefined): Results => {
  if (dir === undefined || !existsSync(dir)) return { dir: undefined, sections: [], images: [], claims: [] }
  const sections: Array<Section> = []
  const images: Array<string> = []
  const claims: Array<{ readonly folder: string; readonly claims: ReadonlyArray<Claim> }> = []
  for (const path of listFiles(dir)) {
    const file = relative(dir, path)
    const ext = extname(path).toLowerCase()
    // The run configuration is echoed in the tables; model files are not results.
    if (ext === ".json" && !SKIPPED_FILES.has(basename(path))) {
      const title = basename(path, ext)
      let parsed: unknown
      try {
        parsed = JSON.parse(readFileSync(path, "utf8"))
      } catch {
        // A half-written file from a run in progress: show nothing for it rather than fail the site.
        continue
      }
      if (basename(path) === "summary.json") {
        const folder = dirname(file)
        claims.push({ folder, claims: claimsOf(folder, parsed) })
      }
      const found = fromJson(title, parsed)
      if (found.tables.length + found.plots.length > 0) sections.push({ file, ...found })
    } else if (ext === ".md") {
      sections.push({ file, tables: [], plots: [], markdown: readFileSync(path, "utf8") })
    } else if (IMAGE.has(ext)) {
      // An SVG with a PNG beside it is the same picture: show the PNG once.
      if (ext === ".svg" && existsSync(`${path.slice(0, -ext.length)}.png`)) continue
      images.push(file)
    }
  }
  const order = orderFolders(claims.map((c) => c.folder))
  return {
    dir,
    sections,
    images,
    claims: order.flatMap((folder) => claims.find((c) => c.folder === folder)?.claims ?? []),
  }
}
