import type { ThrowawayPostgres } from '../../tools/pg/throwaway';
import { teardown as scratchTeardown } from '../scratch-tmpdir';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __reelrankPostgres?: ThrowawayPostgres }).__reelrankPostgres?.stop();
  await scratchTeardown();
}
