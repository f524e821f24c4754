/**
 * The command tree (Effect's `effect/cli`): `train`, `eval`, `attack`, `reproduce <experiment>`
 * (the table of `Reproduce.experiments`) and `show`, each with `--help`. Flags are typed and
 * checked at parse time (`--epochs 0` -> "Invalid value for flag --epochs"); handlers turn
 * them into experiment options and print the tables on stdout, progress on stderr.
 */
import { Console, Effect } from "effect"
import { Argument, CliOutput, Command, Flag } from "effect/cli"
import * as Flags from "./Flags.ts"
import * as Reproduce from "./Reproduce.ts"
import * as Robustness from "./Robustness.ts"
import type * as Runner from "./Runner.ts"
import * as Show from "./Show.ts"
import * as SweepCommand from "./SweepCommand.ts"
import * as Train from "./Train.ts"

/**
 * Output of a bad invocation: the errors first (what the user has to fix), then where the flags
 * are listed, instead of the whole help followed by the errors scrolled below it.
 */
export const errorsFirst: CliOutput.Presenter = {
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Effect.gen(function* () {
          const formatter = yield* CliOutput.Formatter
          yield* Console.error(formatter.formatErrors(event.errors))
          yield* Console.error(`(${event.commandPath.join(" ")} --help lists every flag)\n`)
        })
      : CliOutput.defaultPresenter.present(event),
}

/** What the handlers need from `main`: progress context and where tables go. */
export interface Io {
  readonly context: Runner.Context
  readonly print: (text: string) => Effect.Effect<void>
}

export const make = (io: Io) => {
  const ctx = (resume: boolean): Runner.Context => ({ ...io.context, resume })
  const print = (written: { readonly tables: string }) => io.print(written.tables)

  const reproduce = Command.make("reproduce").pipe(
    Command.withDescription(
      "Reproduce the paper's experiments at CPU scale (the paper's numbers printed beside ours)",
    ),
    Command.withSubcommands(Reproduce.experiments.map((e) => e.command(io))),
  )

  const train = Command.make(
    "train",
    {
      ...Flags.commonFlags(Train.trainDefaults),
      // Overrides of the config: applied only when given, so that a config file keeps its values.
      epochs: Flags.intFlag(
        "epochs",
        `training epochs per run (default: the config's, else ${Train.trainDefaults.epochs})`,
      ).pipe(Flag.optional),
      seed: Flag.Int("seed").pipe(
        Flag.withSchema(Flags.nonNegativeInt),
        Flag.withDescription(`first seed (default: the config's, else ${Train.trainDefaults.seed})`),
        Flag.optional,
      ),
      backend: Flags.backendChoice.pipe(
        Flag.withDescription(
          `${Flags.BACKEND_HELP} (default: the config's, else ${Train.trainDefaults.backend})`,
        ),
        Flag.optional,
      ),
      batchSize: Flag.Int("batch-size").pipe(
        Flag.withSchema(Flags.positiveInt),
        Flag.withDescription(
          `examples per batch (default: the config's, else ${Train.trainDefaults.batchSize})`,
        ),
        Flag.optional,
      ),
      lr: Flag.Finite("lr").pipe(
        Flag.withSchema(Flags.positive),
        Flag.withDescription(`learning rate (default: the config's, else ${Train.trainDefaults.lr})`),
        Flag.optional,
      ),
      config: Flag.String("config").pipe(
        Flag.withDescription("JSON run config (flags given override its fields)"),
        Flag.optional,
      ),
      strategy: Flag.Literals("strategy", Train.strategyNames).pipe(
        Flag.withDescription("the mixing strategy (default: the config's, else mixup)"),
        Flag.optional,
      ),
      alpha: Flag.Finite("alpha").pipe(
        Flag.withSchema(Flags.positive),
        Flag.withDescription(
          `Beta(alpha, alpha) of mixup, cutmix, fmix, mixImages, manifold (default ${Train.parameterDefaults.alpha}; with --config, needs --strategy)`,
        ),
        Flag.optional,
      ),
      smoothing: Flag.Finite("smoothing").pipe(
        Flag.withDescription(`label smoothing epsilon (default ${Train.parameterDefaults.smoothing})`),
        Flag.optional,
      ),
      sigma: Flag.Finite("sigma").pipe(
        Flag.withDescription(`Gaussian noise sigma (default ${Train.parameterDefaults.sigma})`),
        Flag.optional,
      ),
      model: Flag.Literals("model", ["mlp", "smallCnn"]).pipe(
        Flag.withDescription("network (default: the config's, else an MLP)"),
        Flag.optional,
      ),
      hidden: Flag.String("hidden").pipe(
        Flag.withDescription(
          `MLP hidden widths, comma-separated (default: the config's, else ${Train.trainDefaults.hidden.join(",")})`,
        ),
        Flag.optional,
      ),
      labelNoise: Flag.Finite("label-noise").pipe(
        Flag.withDescription("fraction of training labels corrupted"),
        Flag.optional,
      ),
      dataset: Flag.Literals("dataset", ["mnist", "twoMoons", "circles", "spirals"]).pipe(
        Flag.withDescription("data (default: the config's, else the bundled MNIST digits)"),
        Flag.optional,
      ),
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
      backend: Flags.backendChoice.pipe(
        Flag.withDescription(`${Flags.BACKEND_HELP} (default: the run's)`),
        Flag.optional,
      ),
    },
    (flags) => Effect.flatMap(Train.evaluate(flags.run, flags.backend), io.print),
  ).pipe(Command.withDescription("Evaluate a saved network on its test and training data"))

  const attack = Command.make(
    "attack",
    {
      run: runArgument,
      attack: Flag.Literals("attack", Robustness.attackNames).pipe(
        Flags.defaulted<Robustness.AttackName>("the attack", "fgsm"),
      ),
      epsilon: Flags.epsilonFlag(0.1),
      steps: Flags.countFlag("steps", "iterations of I-FGSM / PGD", 10),
      surrogate: Flag.String("surrogate").pipe(
        Flag.withDescription("run folder of the network to craft on (black box)"),
        Flag.optional,
      ),
      seed: Flag.Int("seed").pipe(
        Flag.withSchema(Flags.nonNegativeInt),
        Flags.defaulted("seed of PGD's random starts", 0),
      ),
      backend: Flags.backendChoice.pipe(
        Flag.withDescription(`${Flags.BACKEND_HELP} (default: the run's)`),
        Flag.optional,
      ),
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
    Command.withSubcommands([train, evalCommand, attack, reproduce, show, ...SweepCommand.make(io)]),
  )
}
