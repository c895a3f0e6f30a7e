import type { ThrowawayPostgres } from '../../tools/pg/throwaway';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __reelrankPostgres?: ThrowawayPostgres }).__reelrankPostgres?.stop();
}
