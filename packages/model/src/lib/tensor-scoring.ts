import type { MfModel } from './mf-model.js';
import type { Tf } from './tf-backend.js';

/**
 * Scores many users against every movie at once as one dense matrix product on the TF.js
 * backend: S = μ + b_u 1ᵀ + 1 b_iᵀ + P_batch Qᵀ. This is the batched form of `scoreAllMovies`
 * (same formula, unclipped), used where thousands of users are scored (evaluation, reports).
 */
export class TensorScorer {
  /** Qᵀ (factors × nMovies): wasm's matMul is ~10x faster on a pre-transposed operand. */
  private readonly movieFactorsT: ReturnType<Tf['tensor2d']>;
  private readonly movieBiasRow: ReturnType<Tf['tensor2d']>;

  constructor(
    private readonly tf: Tf,
    private readonly model: MfModel,
  ) {
    const nMovies = model.movieIds.length;
    this.movieFactorsT = tf.tidy(() => tf.tensor2d(model.movieFactors, [nMovies, model.factors]).transpose());
    this.movieBiasRow = tf.tensor2d(model.movieBias, [1, nMovies]);
  }

  /** Row-major scores, users.length × nMovies. */
  scoreUsers(users: ArrayLike<number>): Float32Array {
    const { tf, model } = this;
    const k = model.factors;
    const batch = users.length;
    const rows = new Float32Array(batch * k);
    const biases = new Float32Array(batch);
    for (let b = 0; b < batch; b++) {
      const u = users[b];
      rows.set(model.userFactors.subarray(u * k, u * k + k), b * k);
      biases[b] = model.globalMean + model.userBias[u];
    }
    // Read the data outside tidy: tidy walks its callback's return value looking for tensors.
    const scores = tf.tidy(() => {
      const P = tf.tensor2d(rows, [batch, k]);
      const userBase = tf.tensor2d(biases, [batch, 1]);
      return tf.matMul(P, this.movieFactorsT).add(userBase).add(this.movieBiasRow);
    });
    const data = scores.dataSync() as Float32Array;
    scores.dispose();
    return data;
  }

  dispose(): void {
    this.movieFactorsT.dispose();
    this.movieBiasRow.dispose();
  }
}
