/** Quick throughput check (not a test): bulk Beta draws and the host mixup path vs a plain copy. */
import { Host, Lambda, Random, Strategy } from "@vicinal/core"

const rate = (label: string, items: number, run: () => void): void => {
  run()
  const start = performance.now()
  const reps = 5
  for (let r = 0; r < reps; r++) run()
  console.log(`${label}: ${((reps * items) / (performance.now() - start) / 1000).toFixed(1)} M/s`)
}

const out = new Float64Array(1 << 20)
const rng = Random.make(1)
for (const alpha of [0.2, 1, 2]) {
  rate(`Beta(${alpha}, ${alpha}) draws`, out.length, () =>
    Lambda.sampleInto(Lambda.symmetricBeta(alpha), rng, out),
  )
}

const shape = [128, 32, 32, 3]
const x = Float32Array.from({ length: 128 * 3072 }, () => rng.uniform())
const y = new Float32Array(128 * 10).fill(0.1)
const plan = Strategy.plan(Strategy.mixup({ alpha: 1 }), { n: 128, shape }, { epoch: 0, step: 0 }, rng)
rate("host mixup (floats)", x.length, () => Host.execute(plan, { x, shape, y }))
rate("plain copy (floats)", x.length, () => x.slice())
