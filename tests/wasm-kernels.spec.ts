import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('WebAssembly kernels', () => {
  it('every committed .wasm (trainer and serving scorers) is exactly what its .wat source compiles to (wabt from npm)', () => {
    const check = spawnSync(process.execPath, [join(__dirname, '..', 'tools', 'wasm', 'build.mjs'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.stdout.trim().split('\n')).toEqual([
      'packages/trainer/src/lib/sgd-kernel.wasm is up to date',
      'packages/trainer/src/lib/als-kernel.wasm is up to date',
      'packages/trainer/src/lib/svdpp-kernel.wasm is up to date',
      'packages/model/src/lib/movie-scorer.wasm is up to date',
      'packages/model/src/lib/movie-bounds.wasm is up to date',
      'packages/model/src/lib/ease-sums.wasm is up to date',
    ]);
    expect(check.status).toBe(0);
  });
});
