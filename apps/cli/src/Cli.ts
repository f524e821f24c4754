/**
 * The command tree (Effect's `effect/cli`): `train`, `eval`, `attack`, `reproduce <quick |
 * table2 | table3 | ablation | cifar>` and `show`, each with `--help`. Flags are typed and
 * checked at parse time (`--epochs 0` -> "Invalid value for flag --epochs"); handlers turn
 * them into experiment options and print the tables on stdout, progress on stderr.
 */
import { Backend } from "@vicinal/train"
import { Effect, Option, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import * as Options from "./Options.ts"
import * as Reproduce from "./Reproduce.ts"
import * as Robustness from "./Robustness.ts"
import type * as Runner from "./Runner.ts"
import * as Show from "./Show.ts"
import * as Train from "./Train.ts"

const positiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
const nonNegativeInt = Schema.Int.check(
  Schema.isGreaterThanOrEqualTo(0),
  Schema.isLessThanOrEqualTo(2 ** 31 - 1),
)
const positive = Schema.Finite.check(Schema.isGreaterThan(0))

const intFlag = (name: string, description: string) =>
  Flag.Int(name).pipe(Flag.withSchema(positiveInt), Flag.withDescription(description))

const backendFlag = (fallback: Backend.BackendChoice) =>
  Flag.Literals("backend", ["auto", ...Backend.candidates]).pipe(
    Flag.withDescription("tfjs backend (auto: the fastest that works)"),
    Flag.withDefault(fallback),
  )

/** The flags every training command shares; defaults differ per command. */
const commonFlags = (defaults: {
  readonly backend: Backend.BackendChoice
  readonly lr: number
  readonly batchSize: number
}) => ({
  epochs: intFlag("epochs", "training epochs per run").pipe(Flag.optional),
  seed: Flag.Int("seed").pipe(
    Flag.withSchema(nonNegativeInt),
    Flag.withDescription("first seed"),
    Flag.withDefault(0),
  ),
  seeds: intFlag("seeds", "number of seeds (seed, seed+1, ...); tables report mean ± std").pipe(
    Flag.withDefault(1),
  ),
  backend: backendFlag(defaults.backend),
  out: Flag.String("out").pipe(
    Flag.withDescription("results folder (default results/<experiment>-<timestamp>)"),
    Flag.optional,
  ),
  resume: Flag.Boolean("resume").pipe(
    Flag.withDescription(
      "continue interrupted runs, reuse finished ones (default folder: the newest of this experiment)",
    ),
    Flag.withDefault(false),
  ),
  limit: intFlag("limit", "use only this many training examples").pipe(Flag.optional),
  testLimit: intFlag(
    "test-limit",
    "test examples: MNIST holds out this many (default 2000); CIFAR keeps the first this many of its test set",
  ).pipe(Flag.optional),
  batchSize: intFlag("batch-size", "examples per batch").pipe(Flag.withDefault(defaults.batchSize)),
  lr: Flag.Finite("lr").pipe(
    Flag.withSchema(positive),
    Flag.withDescription("learning rate (SGD, momentum 0.9, weight decay 1e-4)"),
    Flag.withDefault(defaults.lr),
  ),
})

const hiddenFlag = (fallback: string) =>
  Flag.String("hidden").pipe(
    Flag.withDescription("MLP hidden layer widths, comma-separated"),
    Flag.withDefault(fallback),
  )

const epsilonFlag = (fallback: number) =>
  Flag.Finite("epsilon").pipe(
    Flag.withSchema(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(1))),
    Flag.withDescription("attack radius (L-inf) on pixels in [0, 1]"),
    Flag.withDefault(fallback),
  )

const cpuScale = { backend: "wasm", lr: 0.05, batchSize: 128 } as const

/** What the handlers need from `main`: progress context and where tables go. */
export interface Io {
  readonly context: Runner.Context
  readonly print: (text: string) => Effect.Effect<void>
}

export const make = (io: Io) => {
  const ctx = (resume: boolean): Runner.Context => ({ ...io.context, resume })
  const print = (written: { readonly tables: string }) => io.print(written.tables)

  const quick = Command.make(
    "quick",
    {
      ...commonFlags({ ...cpuScale, lr: 0.1 }),
      epsilon: epsilonFlag(0.1),
      toyEpochs: intFlag("toy-epochs", "epochs of the two-moons boundary runs").pipe(Flag.withDefault(30)),
      noisyLimit: intFlag("noisy-limit", "training digits of the 50% noise runs").pipe(
        Flag.withDefault(2000),
      ),
      noisyEpochs: intFlag("noisy-epochs", "epochs of the 50% noise runs").pipe(Flag.withDefault(25)),
      noisyAlpha: Flag.Finite("noisy-alpha").pipe(
        Flag.withSchema(positive),
        Flag.withDescription("mixup alpha of the 50% noise runs (the paper: 32)"),
        Flag.withDefault(8),
      ),
      hidden: hiddenFlag("512"),
    },
    (flags) =>
      Effect.gen(function* () {
        const common = yield* Options.common("quick", flags, { epochs: 5 })
        const hidden = yield* Options.numberList("--hidden", flags.hidden, Options.positiveIntegers)
        yield* print(
          yield* Reproduce.quick(
            {
              ...common,
              epsilon: flags.epsilon,
              toyEpochs: flags.toyEpochs,
              noisyTrainSize: flags.noisyLimit,
              noisyEpochs: flags.noisyEpochs,
              noisyAlpha: flags.noisyAlpha,
              hidden,
            },
            ctx(flags.resume),
          ),
        )
      }),
  ).pipe(
    Command.withDescription(
      "The README demo (~5 min on 2 cores): ERM vs mixup on MNIST with clean and 50% corrupted labels, under FGSM / I-FGSM, and the two-moons decision boundary",
    ),
  )

  const table2 = Command.make(
    "table2",
    {
      ...commonFlags({ ...cpuScale, lr: 0.1 }),
      noise: Flag.String("noise").pipe(
        Flag.withDescription("label corruption levels, comma-separated"),
        Flag.withDefault("0.2,0.5,0.8"),
      ),
      hidden: hiddenFlag("512"),
    },
    (flags) =>
      Effect.gen(function* () {
        // 2,000 digits for 40 epochs: long enough for ERM to memorise the corrupted labels.
        const given = yield* Options.common("table2", flags, { epochs: 40 })
        const common = { ...given, trainSize: given.trainSize ?? 2000 }
        const noise = yield* Options.numberList("--noise", flags.noise, Options.fractions)
        const hidden = yield* Options.numberList("--hidden", flags.hidden, Options.positiveIntegers)
        yield* print(yield* Reproduce.table2({ ...common, noise, hidden }, ctx(flags.resume)))
      }),
  ).pipe(
    Command.withDescription(
      "Table 2: label corruption 20/50/80% — ERM, ERM + dropout, mixup, mixup + dropout; best/last test error, training error on real and corrupted labels",
    ),
  )

  const table3 = Command.make(
    "table3",
    {
      ...commonFlags(cpuScale),
      epsilon: epsilonFlag(0.1),
      steps: intFlag("steps", "I-FGSM iterations").pipe(Flag.withDefault(10)),
      hidden: hiddenFlag("256"),
    },
    (flags) =>
      Effect.gen(function* () {
        const common = yield* Options.common("table3", flags, { epochs: 8 })
        const hidden = yield* Options.numberList("--hidden", flags.hidden, Options.positiveIntegers)
        yield* print(
          yield* Reproduce.table3(
            { ...common, epsilon: flags.epsilon, steps: flags.steps, hidden },
            ctx(flags.resume),
          ),
        )
      }),
  ).pipe(
    Command.withDescription(
      "Table 3: FGSM and I-FGSM, white box and black box, top-1 and top-5 error, ERM vs mixup",
    ),
  )

  const ablation = Command.make(
    "ablation",
    {
      ...commonFlags(cpuScale),
      hidden: hiddenFlag("256,256"),
      k: intFlag("k", "neighbours of the KNN pairings (within a batch)").pipe(Flag.withDefault(8)),
    },
    (flags) =>
      Effect.gen(function* () {
        const common = yield* Options.common("ablation", flags, { epochs: 5 })
        const hidden = yield* Options.numberList("--hidden", flags.hidden, Options.positiveIntegers)
        yield* print(yield* Reproduce.ablation({ ...common, hidden, k: flags.k }, ctx(flags.resume)))
      }),
  ).pipe(
    Command.withDescription(
      "The paper's ablation: RP/SC/KNN pairings, mix inputs only, label smoothing, mix inputs + smoothing, Gaussian noise, hidden-layer mixing",
    ),
  )

  const cifar = Command.make(
    "cifar",
    {
      ...commonFlags({ backend: "auto", lr: 0.1, batchSize: 128 }),
      data: Flag.Directory("data", { mustExist: true }).pipe(
        Flag.withDescription("folder of the CIFAR binary version (cifar-10-batches-bin or cifar-100-binary)"),
      ),
      dataset: Flag.Literals("dataset", ["cifar10", "cifar100"]).pipe(Flag.withDefault("cifar10")),
      model: Flag.Literals("model", ["preActResNet", "wideResNet", "denseNetBC"]).pipe(
        Flag.withDefault("preActResNet"),
      ),
      width: intFlag("width", "PreAct ResNet stem width (paper: 64)").pipe(Flag.optional),
      alpha: Flag.Finite("alpha").pipe(Flag.withSchema(positive), Flag.withDefault(1)),
      milestones: Flag.String("milestones").pipe(
        Flag.withDescription("epochs at which the learning rate drops 10x"),
        Flag.withDefault("100,150"),
      ),
      augment: Flag.Literals("augment", ["paper", "none"]).pipe(
        Flag.withDescription(
          "training augmentation: the paper's random crop (4-pixel padding) + horizontal flip + normalisation, or none",
        ),
        Flag.withDefault("paper"),
      ),
    },
    (flags) =>
      Effect.gen(function* () {
        const common = yield* Options.common(flags.dataset, flags, { epochs: 200 })
        const milestones = yield* Options.numberList(
          "--milestones",
          flags.milestones,
          Options.positiveIntegers,
        )
        yield* print(
          yield* Reproduce.cifar(
            {
              ...common,
              data: flags.data,
              dataset: flags.dataset,
              model: flags.model,
              width: Option.getOrUndefined(flags.width),
              alpha: flags.alpha,
              milestones,
              augment: flags.augment === "paper",
            },
            ctx(flags.resume),
          ),
        )
      }),
  ).pipe(
    Command.withDescription(
      "CIFAR-10/100 with PreAct ResNet-18 and the paper's schedule (200 epochs, lr 0.1 / 10 at 100 and 150): for a GPU backend",
    ),
  )

  const reproduce = Command.make("reproduce").pipe(
    Command.withDescription(
      "Reproduce the paper's experiments at CPU scale (the paper's numbers printed beside ours)",
    ),
    Command.withSubcommands([quick, table2, table3, ablation, cifar]),
  )

  const train = Command.make(
    "train",
    {
      ...commonFlags(cpuScale),
      config: Flag.String("config").pipe(
        Flag.withDescription("JSON run config (flags given override its fields)"),
        Flag.optional,
      ),
      strategy: Flag.Literals("strategy", Train.strategyNames).pipe(Flag.optional),
      alpha: Flag.Finite("alpha").pipe(
        Flag.withSchema(positive),
        Flag.withDescription("Beta(alpha, alpha)"),
        Flag.withDefault(1),
      ),
      smoothing: Flag.Finite("smoothing").pipe(
        Flag.withDescription("label smoothing epsilon"),
        Flag.withDefault(0.1),
      ),
      sigma: Flag.Finite("sigma").pipe(Flag.withDescription("Gaussian noise sigma"), Flag.withDefault(0.1)),
      model: Flag.Literals("model", ["mlp", "smallCnn"]).pipe(Flag.optional),
      hidden: Flag.String("hidden").pipe(
        Flag.withDescription("MLP hidden widths, comma-separated"),
        Flag.optional,
      ),
      labelNoise: Flag.Finite("label-noise").pipe(
        Flag.withDescription("fraction of training labels corrupted"),
        Flag.optional,
      ),
      dataset: Flag.Literals("dataset", ["mnist", "twoMoons", "circles", "spirals"]).pipe(Flag.optional),
    },
    (flags) => Effect.flatMap(Train.train(flags, ctx(flags.resume)), print),
  ).pipe(
    Command.withDescription(
      "Train one run config (JSON file and/or flags) for one or more seeds; saves the network",
    ),
    Command.withExamples([
      { command: "vicinal train --strategy mixup --alpha 1 --epochs 5", description: "mixup on MNIST" },
      { command: "vicinal train --config run.json --seeds 3", description: "a config file, three seeds" },
    ]),
  )

  const runArgument = Argument.String("run").pipe(
    Argument.withDescription("a run folder written by train (…/runs/<name>-seed<k>)"),
  )
  const evalCommand = Command.make(
    "eval",
    {
      run: runArgument,
      backend: Flag.Literals("backend", ["auto", ...Backend.candidates]).pipe(Flag.optional),
    },
    (flags) => Effect.flatMap(Train.evaluate(flags.run, flags.backend), io.print),
  ).pipe(Command.withDescription("Evaluate a saved network on its test and training data"))

  const attack = Command.make(
    "attack",
    {
      run: runArgument,
      attack: Flag.Literals("attack", Robustness.attackNames).pipe(Flag.withDefault("fgsm")),
      epsilon: epsilonFlag(0.1),
      steps: intFlag("steps", "iterations of I-FGSM / PGD").pipe(Flag.withDefault(10)),
      surrogate: Flag.String("surrogate").pipe(
        Flag.withDescription("run folder of the network to craft on (black box)"),
        Flag.optional,
      ),
      seed: Flag.Int("seed").pipe(Flag.withSchema(nonNegativeInt), Flag.withDefault(0)),
      backend: Flag.Literals("backend", ["auto", ...Backend.candidates]).pipe(Flag.optional),
    },
    (flags) => Effect.flatMap(Train.attack(flags.run, flags), io.print),
  ).pipe(
    Command.withDescription(
      "Attack a saved network (white box, or black box with --surrogate) and print Table 3",
    ),
  )

  const show = Command.make(
    "show",
    { dir: Argument.String("dir").pipe(Argument.withDescription("a results folder (experiment or run)")) },
    (flags) => Effect.flatMap(Show.show(flags.dir), io.print),
  ).pipe(Command.withDescription("Pretty-print a results folder"))

  return Command.make("vicinal").pipe(
    Command.withDescription(
      "mixup and its family: train, evaluate, attack, and reproduce the paper's tables",
    ),
    Command.withSubcommands([train, evalCommand, attack, reproduce, show]),
  )
}
