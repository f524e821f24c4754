/**
 * Tabular data from CSV (the paper's UCI experiments): numeric feature columns and one label
 * column, chosen by header name or index. Parsing (quotes, delimiters, line numbers) is done
 * by `csv-parse`; this module turns records into a `Dataset` and reports the first bad cell
 * with its line and column.
 */
import { parse as parseCsv } from "csv-parse/sync"
import { Effect } from "effect"
import * as Check from "./Check.ts"
import { type Dataset, featureStats, make, standardise } from "./Dataset.ts"
import { type DataError, InvalidArgument, LabelOutOfRange, ParseError } from "./Errors.ts"
import { readText } from "./Files.ts"

export interface CsvOptions {
  /** label column: header name, or 0-based index (negative counts from the end); default -1 (last) */
  readonly label?: string | number
  /**
   * first row is a header: true, false, or "auto" (default: a header when a column is named in the
   * options, or when a numeric feature cell of the first row is not a number)
   */
  readonly header?: boolean | "auto"
  readonly delimiter?: string
  /** columns to leave out (names or 0-based indices), e.g. an id column */
  readonly ignore?: ReadonlyArray<string | number>
  /**
   * categorical feature columns (names or 0-based indices), one-hot encoded with their distinct
   * values sorted (e.g. Abalone's sex M/F/I becomes 3 features)
   */
  readonly categorical?: ReadonlyArray<string | number>
  /**
   * how label cells become classes: "integer" (the cell is the class index), "category" (each
   * distinct value is a class, in `classes` order or sorted); default "integer" when every cell is
   * a non-negative integer, else "category"
   */
  readonly labels?: "integer" | "category"
  /** class values in index order, for "category" labels (fixes the mapping across files) */
  readonly classes?: ReadonlyArray<string>
  /** number of classes for "integer" labels (default: largest label + 1) */
  readonly numClasses?: number
  /** standardise every feature by this file's own mean and std (default false) */
  readonly standardise?: boolean
  readonly name?: string
}

interface Row {
  readonly record: ReadonlyArray<string>
  readonly line: number
}

const isNumber = (cell: string): boolean => cell.trim() !== "" && Number.isFinite(Number(cell))
const isIndex = (cell: string): boolean => /^\s*\d+\s*$/.test(cell)

const csvRows = (
  text: string,
  file: string,
  delimiter: string,
): Effect.Effect<ReadonlyArray<Row>, ParseError> =>
  Effect.try({
    try: () =>
      (
        parseCsv(text, { delimiter, info: true, skip_empty_lines: true }) as unknown as ReadonlyArray<{
          readonly record: ReadonlyArray<string>
          readonly info: { readonly lines: number }
        }>
      ).map((r) => ({ record: r.record, line: r.info.lines })),
    catch: (cause) => {
      const details = cause as {
        readonly lines?: unknown
        readonly column?: unknown
        readonly message?: unknown
      }
      return new ParseError({
        file,
        line: typeof details.lines === "number" ? details.lines : 0,
        column: typeof details.column === "number" ? details.column : 0,
        reason: typeof details.message === "string" ? details.message : String(cause),
      })
    },
  })

const columnIndex = (
  column: string | number,
  argument: string,
  header: ReadonlyArray<string> | undefined,
  width: number,
): number | InvalidArgument => {
  if (typeof column === "string") {
    const index = header?.indexOf(column) ?? -1
    return index >= 0
      ? index
      : new InvalidArgument({
          argument,
          value: column,
          expected:
            header === undefined
              ? "must be a column index: a column name needs a header row"
              : `must name a column of ${header.join(",")}`,
        })
  }
  const index = column < 0 ? width + column : column
  return Number.isInteger(column) && index >= 0 && index < width
    ? index
    : new InvalidArgument({
        argument,
        value: column,
        expected: `must be a column index in [-${width}, ${width})`,
      })
}

/** Parses CSV text; `file` names the source in errors. */
export const parse = (
  text: string,
  file: string,
  options: CsvOptions = {},
): Effect.Effect<Dataset, DataError> =>
  Effect.gen(function* () {
    const rows = yield* csvRows(text, file, options.delimiter ?? ",")
    const first = rows[0]
    if (first === undefined) return yield* new ParseError({ file, line: 1, column: 1, reason: "no rows" })
    const width = first.record.length
    const named = [options.label, ...(options.ignore ?? []), ...(options.categorical ?? [])]
    const byIndex = new Set(
      named.filter((c): c is number => typeof c === "number").map((c) => (c < 0 ? width + c : c)),
    )
    if (options.label === undefined) byIndex.add(width - 1)
    const hasHeader =
      options.header === "auto" || options.header === undefined
        ? named.some((c) => typeof c === "string") ||
          first.record.some((cell, i) => !byIndex.has(i) && !isNumber(cell))
        : options.header
    const header = hasHeader ? first.record : undefined
    const body = hasHeader ? rows.slice(1) : rows
    const labelColumn = yield* toEffect(columnIndex(options.label ?? -1, "label", header, width))
    const columns = (list: ReadonlyArray<string | number> | undefined, argument: string) =>
      Effect.forEach(list ?? [], (c) => toEffect(columnIndex(c, argument, header, width)))
    const ignored = new Set(yield* columns(options.ignore, "ignore"))
    const categorical = new Set(yield* columns(options.categorical, "categorical"))
    if (body.length === 0)
      return yield* new ParseError({ file, line: first.line, column: 1, reason: "no data rows" })
    const encoders = Array.from({ length: width }, (_, i) => i)
      .filter((i) => i !== labelColumn && !ignored.has(i))
      .map((column) => (categorical.has(column) ? oneHotColumn(body, column) : numericColumn(column)))
    const featureCount = encoders.reduce((sum, e) => sum + e.width, 0)

    const x = new Float32Array(body.length * featureCount)
    for (const [r, row] of body.entries()) {
      let offset = r * featureCount
      for (const encoder of encoders) {
        const error = encoder.write(row.record[encoder.column]!, x, offset)
        if (error !== undefined)
          return yield* new ParseError({
            file,
            line: row.line,
            column: encoder.column + 1,
            reason: `feature ${header?.[encoder.column] ?? encoder.column} ${error}`,
          })
        offset += encoder.width
      }
    }
    const cells = body.map((row) => row.record[labelColumn]!.trim())
    const mode =
      options.labels ?? (options.classes === undefined && cells.every(isIndex) ? "integer" : "category")
    const { labels, numClasses, classNames } = yield* mode === "integer"
      ? integerLabels(cells, body, file, labelColumn, options.numClasses)
      : categoryLabels(cells, body, file, labelColumn, options.classes)
    const dataset = yield* make({
      name: options.name ?? file,
      x,
      shape: [body.length, featureCount],
      labels,
      numClasses,
      ...(classNames === undefined ? {} : { classNames }),
    })
    return options.standardise === true ? yield* standardise(dataset, featureStats(dataset)) : dataset
  })

/** Writes one column's cell as `width` feature values; returns what is wrong, if anything. */
interface ColumnEncoder {
  readonly column: number
  readonly width: number
  readonly write: (cell: string, x: Float32Array, offset: number) => string | undefined
}

const numericColumn = (column: number): ColumnEncoder => ({
  column,
  width: 1,
  write: (cell, x, offset) => {
    if (!isNumber(cell)) return `is not a number: ${JSON.stringify(cell)}`
    x[offset] = Number(cell)
    return undefined
  },
})

const oneHotColumn = (rows: ReadonlyArray<Row>, column: number): ColumnEncoder => {
  const values = [...new Set(rows.map((row) => row.record[column]!.trim()))].sort()
  const index = new Map(values.map((v, i) => [v, i]))
  return {
    column,
    width: values.length,
    write: (cell, x, offset) => {
      x[offset + index.get(cell.trim())!] = 1
      return undefined
    },
  }
}

const toEffect = <A>(value: A | InvalidArgument): Effect.Effect<A, InvalidArgument> =>
  value instanceof InvalidArgument ? Effect.fail(value) : Effect.succeed(value)

interface Labels {
  readonly labels: Int32Array
  readonly numClasses: number
  readonly classNames?: ReadonlyArray<string>
}

const integerLabels = (
  cells: ReadonlyArray<string>,
  rows: ReadonlyArray<Row>,
  file: string,
  column: number,
  given: number | undefined,
): Effect.Effect<Labels, DataError> =>
  Effect.gen(function* () {
    const labels = new Int32Array(cells.length)
    for (const [i, cell] of cells.entries()) {
      if (!isIndex(cell))
        return yield* new ParseError({
          file,
          line: rows[i]!.line,
          column: column + 1,
          reason: `label is not a non-negative integer: ${JSON.stringify(cell)}`,
        })
      labels[i] = Number(cell)
    }
    if (given !== undefined) {
      const error = Check.integerAtLeast("numClasses", given, 1)
      if (error !== undefined) return yield* error
    }
    const numClasses = given ?? labels.reduce((m, l) => Math.max(m, l + 1), 1)
    const bad = labels.findIndex((l) => l >= numClasses)
    if (bad >= 0) return yield* new LabelOutOfRange({ file, index: bad, label: labels[bad]!, numClasses })
    return { labels, numClasses }
  })

const categoryLabels = (
  cells: ReadonlyArray<string>,
  rows: ReadonlyArray<Row>,
  file: string,
  column: number,
  classes: ReadonlyArray<string> | undefined,
): Effect.Effect<Labels, DataError> =>
  Effect.gen(function* () {
    const names = classes ?? [...new Set(cells)].sort()
    const index = new Map(names.map((name, i) => [name, i]))
    const labels = new Int32Array(cells.length)
    for (const [i, cell] of cells.entries()) {
      const label = index.get(cell)
      if (label === undefined)
        return yield* new ParseError({
          file,
          line: rows[i]!.line,
          column: column + 1,
          reason: `label ${JSON.stringify(cell)} is not one of the classes ${names.join(", ")}`,
        })
      labels[i] = label
    }
    return { labels, numClasses: names.length, classNames: names }
  })

/** Reads a CSV file (plain or gzip). */
export const load = (file: string, options: CsvOptions = {}): Effect.Effect<Dataset, DataError> =>
  Effect.flatMap(readText(file), (text) => parse(text, file, { name: file, ...options }))
