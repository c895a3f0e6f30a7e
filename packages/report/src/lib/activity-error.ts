import type { ActivityBucket } from './cold-start.js';

/**
 * Test error by user activity, as the trainer writes it to metrics.json (`byUserActivity`), computed
 * from the model that never saw the test rows; the report only draws it.
 */
export interface ActivityError {
  buckets: ActivityBucket[];
  testRows: number;
}
