/** A multilayer perceptron: flatten, then `hidden` dense-ReLU layers, each a mixing stage. */

import { Schema } from "effect"
import { assemble, type Classifier, type Stage } from "./Classifier.ts"
import { identity, makeKit, sequence } from "./Layers.ts"
import * as Options from "./Options.ts"

const NAME = "mlp"

export const MlpConfig: Options.Member<
  typeof NAME,
  {
    /** Widths of the hidden layers, in order (may be empty: a linear classifier). */
    readonly hidden: Schema.$Array<Schema.Number>
    /** Dropout after each hidden layer (the paper's label-noise grid: 0.5-0.9); default 0, off. */
    readonly dropout: Schema.optionalKey<Schema.Number>
  }
> = Schema.Struct({
  kind: Schema.Literal(NAME),
  ...Options.common(Options.inputShape),
  hidden: Options.positiveInts,
  dropout: Schema.optionalKey(Options.rate),
})

export type MlpOptions = Options.OptionsOf<typeof MlpConfig>

export const mlp = (options: MlpOptions): Classifier => {
  Options.check(MlpConfig, NAME, options)
  const { hidden, dropout = 0, seed = 0 } = options

  const kit = makeKit(seed)
  const flatten = options.inputShape.length > 1 ? kit.flatten() : identity
  const stages: Array<Stage> = hidden.map((width, i) => ({
    name: `hidden${i + 1}`,
    block: sequence(...(i === 0 ? [flatten] : []), kit.dense(width, "relu"), kit.dropout(dropout)),
  }))
  const head = sequence(...(hidden.length === 0 ? [flatten] : []), kit.dense(options.numClasses))
  return assemble(
    { name: NAME, inputShape: options.inputShape, stages, head },
    { kind: "mlp", ...options, hidden: [...hidden], inputShape: [...options.inputShape] },
  )
}
