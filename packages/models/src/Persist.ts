/**
 * Save a classifier to a folder and load it back as a classifier (stages, forward and all):
 * model.json carries the topology, the weights manifest and the constructor config (in
 * `userDefinedMetadata.vicinal.config`); load decodes the config, rebuilds the network and
 * assigns the stored weights by name.
 */
import * as tf from "@tensorflow/tfjs-core"
import * as tfl from "@tensorflow/tfjs-layers"
import { Effect } from "effect"
import type { Classifier } from "./Classifier.ts"
import { type InvalidArgument, ModelIOError, type WeightsMismatchError } from "./Errors.ts"
import { fileHandler } from "./FileIO.ts"
import * as ModelConfig from "./ModelConfig.ts"
import { assignNamed } from "./Weights.ts"

const ioError = (operation: "save" | "load", path: string) => (cause: unknown) =>
  new ModelIOError({ operation, path, reason: cause instanceof Error ? cause.message : String(cause), cause })

/** Write `model.json` and `weights.bin` into `dir` (created if missing). */
export const save = (classifier: Classifier, dir: string): Effect.Effect<void, ModelIOError> =>
  Effect.tryPromise({
    try: () => classifier.model.save(fileHandler(dir)),
    catch: ioError("save", dir),
  }).pipe(Effect.asVoid)

const readArtifacts = (dir: string): Effect.Effect<tf.io.ModelArtifacts, ModelIOError> =>
  Effect.tryPromise({
    try: () => (fileHandler(dir).load as () => Promise<tf.io.ModelArtifacts>)(),
    catch: ioError("load", dir),
  })

const storedConfig = (dir: string, artifacts: tf.io.ModelArtifacts) => {
  const metadata = artifacts.userDefinedMetadata as { vicinal?: { config?: unknown } } | undefined
  const config = metadata?.vicinal?.config
  return config === undefined
    ? Effect.fail(
        new ModelIOError({
          operation: "load",
          path: dir,
          reason: "model.json has no vicinal config in its metadata",
        }),
      )
    : ModelConfig.decode(config)
}

/** Rebuild the classifier stored in `dir`, with its weights. */
export const load = (
  dir: string,
): Effect.Effect<Classifier, ModelIOError | InvalidArgument | WeightsMismatchError> =>
  Effect.gen(function* () {
    const artifacts = yield* readArtifacts(dir)
    const config = yield* storedConfig(dir, artifacts)
    if (artifacts.weightData === undefined || artifacts.weightSpecs === undefined)
      return yield* new ModelIOError({ operation: "load", path: dir, reason: "model.json lists no weights" })
    const { weightData, weightSpecs } = artifacts
    const classifier = yield* Effect.try({
      try: () => ModelConfig.build(config),
      catch: (error) => error as InvalidArgument,
    })
    const tensors = yield* Effect.try({
      try: () => tf.io.decodeWeights(weightData, weightSpecs),
      catch: ioError("load", dir),
    }).pipe(Effect.tapError(() => Effect.sync(classifier.dispose)))
    yield* assignNamed(classifier, tensors).pipe(
      Effect.ensuring(Effect.sync(() => tf.dispose(tensors))),
      Effect.tapError(() => Effect.sync(classifier.dispose)),
    )
    return classifier
  })

/** The stored network as a plain `tf.LayersModel` (tfjs' own loader through `fileHandler`; no stages). */
export const loadLayersModel = (dir: string): Effect.Effect<tfl.LayersModel, ModelIOError> =>
  Effect.tryPromise({ try: () => tfl.loadLayersModel(fileHandler(dir)), catch: ioError("load", dir) })
