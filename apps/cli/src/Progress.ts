/**
 * Progress of a training run, drawn from its event stream. On a terminal, one bar redrawn in
 * place (epoch, batch, loss, examples/s, ETA); elsewhere (CI logs, pipes), plain lines: one
 * every `every` batches and one per epoch, so logs stay readable.
 *
 * `step` is pure: it takes the state, an event and the clock and returns the next state and
 * the text to write, so rendering is tested without a terminal.
 */
import type { RunEvent } from "@vicinal/train"
import { Events } from "@vicinal/train"

export interface Options {
  /** Redraw in place (true on a TTY). */
  readonly tty: boolean
  /** Non-TTY: print a batch line every this many batches (0: never). */
  readonly every: number
  /** Shown in front of every line, e.g. the run's name. */
  readonly label: string
  /** Bar width in characters. */
  readonly width: number
}

export interface State {
  readonly epochs: number
  /** Batches of the run done in this process, and when the first of them started (ms). */
  readonly batchesDone: number
  readonly since: number | undefined
  readonly lossSum: number
  readonly lossCount: number
}

export const initial: State = { epochs: 0, batchesDone: 0, since: undefined, lossSum: 0, lossCount: 0 }

const CLEAR = "\r\u001b[2K"

/** "1:05" or "1:02:03". */
export const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds < 0) return "?"
  const s = Math.round(seconds)
  const hh = Math.floor(s / 3600)
  const mm = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, "0")
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`
}

/** Seconds left, from the mean time per batch so far (evaluation time included). */
export const eta = (state: State, now: number, remainingBatches: number): number =>
  state.since === undefined || state.batchesDone === 0
    ? Number.NaN
    : (((now - state.since) / 1000) * remainingBatches) / state.batchesDone

const bar = (done: number, total: number, width: number): string => {
  const filled = total <= 0 ? width : Math.min(width, Math.round((done / total) * width))
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`
}

const batchLine = (
  options: Options,
  state: State,
  event: Extract<RunEvent, { _tag: "BatchEnded" }>,
  now: number,
): string => {
  const remaining = (state.epochs - event.epoch - 1) * event.batches + (event.batches - event.batch - 1)
  const meanLoss = state.lossCount === 0 ? event.loss : state.lossSum / state.lossCount
  return (
    `${options.label}epoch ${event.epoch + 1}/${state.epochs} ${bar(event.batch + 1, event.batches, options.width)} ` +
    `batch ${event.batch + 1}/${event.batches} loss ${meanLoss.toFixed(4)} ` +
    `${Math.round(event.examplesPerSecond)} ex/s ETA ${duration(eta(state, now, remaining))}`
  )
}

/** The next state and the text to write for one event. */
export const step =
  (options: Options) =>
  (state: State, event: RunEvent, now: number): { readonly state: State; readonly output: string } => {
    const end = options.tty ? CLEAR : ""
    switch (event._tag) {
      case "RunStarted":
        return {
          state: { ...initial, epochs: event.config.epochs },
          output: `${options.label}${Events.progressLine(event)}\n`,
        }
      case "EpochStarted":
        return {
          state: { ...state, epochs: event.epochs, lossSum: 0, lossCount: 0, since: state.since ?? now },
          output: "",
        }
      case "BatchEnded": {
        const next: State = {
          ...state,
          batchesDone: state.batchesDone + 1,
          since: state.since ?? now,
          lossSum: state.lossSum + event.loss,
          lossCount: state.lossCount + 1,
        }
        const due = options.tty
          ? true
          : options.every > 0 &&
            ((event.batch + 1) % options.every === 0 || event.batch + 1 === event.batches)
        return {
          state: next,
          output: due ? `${end}${batchLine(options, next, event, now)}${options.tty ? "" : "\n"}` : "",
        }
      }
      case "CheckpointWritten":
        return { state, output: "" }
      default:
        return { state, output: `${end}${options.label}${Events.progressLine(event)}\n` }
    }
  }

/** A stateful renderer writing to `write` (e.g. stderr), for one run. */
export const renderer = (options: Options, write: (text: string) => void, clock: () => number = Date.now) => {
  let state = initial
  const render = step(options)
  return (event: RunEvent): void => {
    const result = render(state, event, clock())
    state = result.state
    if (result.output !== "") write(result.output)
  }
}
