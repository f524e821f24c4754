/**
 * The strategy part of a run config. `@vicinal/core` owns the strategy Schema (`Strategy.Config`);
 * this module is the one place train refers to it.
 */
import { Schema } from "effect"

export const StrategyConfig = Schema.Unknown
