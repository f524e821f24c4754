/**
 * What a run reports, as a stream of plain events: a CLI progress bar and a JSON-lines logger
 * consume the same stream (`progressLine`, `jsonLine`).
 */
import type { BackendReport } from "./Backend.ts"
import type { Position } from "./Checkpoint.ts"
import type { RunConfig } from "./RunConfig.ts"

/** The metrics of one finished epoch (errors are fractions in [0, 1]). */
export interface EpochMetrics {
  /** 0-based. */
  readonly epoch: number
  /** Mean training loss over the epoch's batches (on the mixed batches the model was trained on). */
  readonly trainLoss: number
  readonly learningRate: number
  readonly testTop1Error: number
  readonly testTop5Error: number
  /** Lowest test top-1 error over the epochs so far (the paper's "best"). */
  readonly bestTestError: number
  /** Test top-1 error of this epoch (the paper's "last" once the run ends). */
  readonly lastTestError: number
  /** When measured: training error against the labels trained on (possibly corrupted)... */
  readonly trainError?: number
  /** ... against the true labels ... */
  readonly trainErrorTrue?: number
  /** ... on the examples whose label was not corrupted (Table 2's "real") ... */
  readonly realTrainError?: number
  /** ... and on the corrupted examples alone against their corrupted labels (Table 2's "corrupted": memorisation). */
  readonly corruptedTrainError?: number
  readonly seconds: number
}

export type RunEvent =
  | {
      readonly _tag: "RunStarted"
      readonly backend: BackendReport
      readonly config: RunConfig
      readonly parameters: number
      readonly trainExamples: number
      readonly testExamples: number
      /** Where a resumed run continues from. */
      readonly resumedFrom?: Position
      /**
       * A resumed run on another backend than the one that wrote its checkpoint: it continues,
       * but will not end with the weights an uninterrupted run would have.
       */
      readonly backendChanged?: { readonly from: string; readonly to: string }
    }
  | {
      readonly _tag: "EpochStarted"
      readonly epoch: number
      readonly epochs: number
      readonly batches: number
    }
  | {
      readonly _tag: "BatchEnded"
      readonly epoch: number
      readonly batch: number
      readonly batches: number
      readonly loss: number
      readonly learningRate: number
      readonly examplesPerSecond: number
    }
  | { readonly _tag: "EpochEnded"; readonly metrics: EpochMetrics }
  | { readonly _tag: "CheckpointWritten"; readonly path: string; readonly position: Position }
  | { readonly _tag: "RunInterrupted"; readonly position: Position; readonly checkpoint?: string }
  | {
      readonly _tag: "RunFinished"
      readonly history: ReadonlyArray<EpochMetrics>
      readonly bestTestError: number
      readonly lastTestError: number
      /** Final weights (`model.getWeights()` order), when the run was asked to capture them. */
      readonly weights?: ReadonlyArray<{
        readonly shape: ReadonlyArray<number>
        readonly values: Float32Array
      }>
    }

/**
 * A position for people, epochs counted from 1 as in the progress lines ("epoch 3/4"): at an
 * epoch boundary "after epoch 2", else "in epoch 3 after batch 6" (a position stores the next
 * epoch and batch, counted from 0).
 */
export const describePosition = (position: Position): string =>
  position.batch === 0
    ? `after epoch ${position.epoch}`
    : `in epoch ${position.epoch + 1} after batch ${position.batch}`

const percent = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? "-" : `${(100 * x).toFixed(2)}%`

/** One human-readable line per event (a progress bar redraws BatchEnded lines in place). */
export const progressLine = (event: RunEvent): string => {
  switch (event._tag) {
    case "RunStarted":
      return `run ${event.config.name ?? ""} on ${event.backend.name}: ${event.parameters} parameters, ${event.trainExamples} train / ${event.testExamples} test${event.resumedFrom === undefined ? "" : `, resumed ${describePosition(event.resumedFrom)}`}${event.backendChanged === undefined ? "" : ` (warning: the checkpoint was written on ${event.backendChanged.from}, so the run will not be bit-identical to an uninterrupted one)`}`
    case "EpochStarted":
      return `epoch ${event.epoch + 1}/${event.epochs}`
    case "BatchEnded": {
      const width = 30
      const done = Math.round(((event.batch + 1) / event.batches) * width)
      return `[${"#".repeat(done)}${".".repeat(width - done)}] ${event.batch + 1}/${event.batches} loss ${event.loss.toFixed(4)} lr ${event.learningRate.toPrecision(3)} ${Math.round(event.examplesPerSecond)} ex/s`
    }
    case "EpochEnded": {
      const m = event.metrics
      const memorisation =
        m.trainError === undefined
          ? ""
          : ` | train error ${percent(m.trainError)} (real ${percent(m.realTrainError)}, corrupted ${percent(m.corruptedTrainError)})`
      return `epoch ${m.epoch + 1}: loss ${m.trainLoss.toFixed(4)} | test top-1 ${percent(m.testTop1Error)} top-5 ${percent(m.testTop5Error)} best ${percent(m.bestTestError)}${memorisation} | ${m.seconds.toFixed(1)}s`
    }
    case "CheckpointWritten":
      return `checkpoint ${event.path}`
    case "RunInterrupted":
      return `interrupted ${describePosition(event.position)}${event.checkpoint === undefined ? "" : `, checkpoint ${event.checkpoint}`}`
    case "RunFinished":
      return `finished: best test error ${percent(event.bestTestError)}, last ${percent(event.lastTestError)}`
  }
}

/** One JSON line per event (weights are summarised, not dumped). */
export const jsonLine = (event: RunEvent): string =>
  JSON.stringify(
    event._tag === "RunFinished" && event.weights !== undefined
      ? { ...event, weights: event.weights.map((w) => ({ shape: w.shape })) }
      : event,
    (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? String(value) : value),
  )
