/** Reading and writing the results folder's files, as Effects failing with `FileError`. */
import { existsSync } from "node:fs"
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { Effect } from "effect"
import { describe, FileError } from "./Errors.ts"

const fail = (path: string, action: string) => (cause: unknown) =>
  new FileError({
    path,
    message:
      typeof cause === "object" && cause !== null && (cause as { readonly code?: unknown }).code === "ENOENT"
        ? `${path}: does not exist`
        : `${path}: cannot ${action} (${describe(cause)})`,
  })

/** Write `text` atomically (a temporary file renamed), creating the folder. */
export const writeText = (path: string, text: string): Effect.Effect<string, FileError> =>
  Effect.tryPromise({
    try: async () => {
      await mkdir(dirname(path), { recursive: true })
      const temporary = `${path}.tmp`
      await writeFile(temporary, text)
      await rename(temporary, path)
      return path
    },
    catch: fail(path, "write"),
  })

/** JSON with two-space indents; non-finite numbers become null (JSON has no NaN). */
export const toJson = (value: unknown): string =>
  `${JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2)}\n`

export const writeJson = (path: string, value: unknown): Effect.Effect<string, FileError> =>
  writeText(path, toJson(value))

export const readText = (path: string): Effect.Effect<string, FileError> =>
  Effect.tryPromise({ try: () => readFile(path, "utf8"), catch: fail(path, "read") })

export const readJson = (path: string): Effect.Effect<unknown, FileError> =>
  Effect.flatMap(readText(path), (text) =>
    Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (cause) => new FileError({ path, message: `${path}: not valid JSON (${describe(cause)})` }),
    }),
  )

export const exists = (path: string): boolean => existsSync(path)

/** Names in a folder, sorted ([] when it does not exist). */
export const list = (dir: string): Effect.Effect<ReadonlyArray<string>, FileError> =>
  exists(dir)
    ? Effect.tryPromise({ try: async () => (await readdir(dir)).sort(), catch: fail(dir, "list") })
    : Effect.succeed([])

/** Remove a folder and everything in it (nothing when it does not exist). */
export const removeFolder = (dir: string): Effect.Effect<void, FileError> =>
  Effect.tryPromise({ try: () => rm(dir, { recursive: true, force: true }), catch: fail(dir, "remove") })
