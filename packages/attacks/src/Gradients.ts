/**
 * Fills tfjs' global gradient registry, which `tf.grad` needs and `@tensorflow/tfjs-core`
 * leaves empty on import. tfjs-core's own `dist/register_all_gradients.js` is ESM with
 * extension-less relative imports that Deno refuses; the CommonJS bundle of
 * `@tensorflow/tfjs-layers` registers the same gradients (into the shared global registry)
 * and loads on Bun and Deno alike.
 */
import "@tensorflow/tfjs-layers"
