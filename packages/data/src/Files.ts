/**
 * Reading files as bytes or text with typed errors; gzip is recognised by its magic bytes
 * (not the file name), so `train-images-idx3-ubyte` and `.gz` files load the same way.
 */
import { readFile } from "node:fs/promises"
import { gunzipSync } from "node:zlib"
import { Effect } from "effect"
import { FileNotFound, FileUnreadable, Inconsistent } from "./Errors.ts"

const reason = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const code = (cause: unknown): unknown =>
  typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined

export const readBytes = (file: string): Effect.Effect<Uint8Array, FileNotFound | FileUnreadable> =>
  Effect.tryPromise({
    try: () => readFile(file),
    catch: (cause) =>
      code(cause) === "ENOENT"
        ? new FileNotFound({ file })
        : new FileUnreadable({ file, reason: reason(cause) }),
  }).pipe(Effect.map((buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)))

export const isGzip = (bytes: Uint8Array): boolean =>
  bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

/** The bytes, decompressed when they are gzip. */
export const gunzipIfNeeded = (bytes: Uint8Array, file: string): Effect.Effect<Uint8Array, Inconsistent> =>
  isGzip(bytes)
    ? Effect.try({
        try: () => {
          const out = gunzipSync(bytes)
          return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
        },
        catch: (cause) =>
          new Inconsistent({
            file,
            reason:
              // zlib's Z_BUF_ERROR: the stream stopped before its end (a cut-off download).
              code(cause) === "Z_BUF_ERROR"
                ? `truncated gzip data: the compressed stream ends early (${reason(cause)})`
                : `corrupt gzip data (${reason(cause)})`,
          }),
      })
    : Effect.succeed(bytes)

/** File contents, gunzipped if needed. */
export const readMaybeGzip = (
  file: string,
): Effect.Effect<Uint8Array, FileNotFound | FileUnreadable | Inconsistent> =>
  Effect.flatMap(readBytes(file), (bytes) => gunzipIfNeeded(bytes, file))

export const readText = (file: string): Effect.Effect<string, FileNotFound | FileUnreadable | Inconsistent> =>
  Effect.flatMap(readMaybeGzip(file), (bytes) =>
    Effect.try({
      try: () => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
      catch: () => new Inconsistent({ file, reason: "not valid UTF-8 text" }),
    }),
  )
