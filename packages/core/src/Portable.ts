/**
 * Elementary functions that give the same bits on every JavaScript engine.
 *
 * `Math.log`, `Math.exp`, `Math.sin`, ... are only required to be approximations, and
 * JavaScriptCore (Bun) and V8 (Deno) differ in the last bit of many results, so a seeded
 * Beta draw or Gaussian would differ between the two runtimes. These are stdlib's ports of
 * FreeBSD's msun (fdlibm): plain IEEE-754 arithmetic, which every engine rounds the same way,
 * so the same seed gives the same lambdas, noise and toy data on Bun, Deno and in a browser.
 */
import stdlibCos from "@stdlib/math-base-special-cos"
import stdlibExp from "@stdlib/math-base-special-exp"
import stdlibLn from "@stdlib/math-base-special-ln"
import stdlibLog1p from "@stdlib/math-base-special-log1p"
import stdlibSin from "@stdlib/math-base-special-sin"

/** Natural logarithm. */
export const log: (x: number) => number = stdlibLn
/** e^x. */
export const exp: (x: number) => number = stdlibExp
/** log(1 + x), accurate for small x. */
export const log1p: (x: number) => number = stdlibLog1p
/** Sine (radians). */
export const sin: (x: number) => number = stdlibSin
/** Cosine (radians). */
export const cos: (x: number) => number = stdlibCos
