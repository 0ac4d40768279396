import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Discovery refuses to multicast outside a test-made network namespace while this is set.
    env: { PARLEY_REQUIRE_NETNS: '1' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          env: { PARLEY_REQUIRE_NETNS: '1' },
        },
      },
      {
        test: {
          name: 'lan',
          include: ['test/lan/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 60_000,
          // Namespaces and processes are shared machine state: one file at a time.
          fileParallelism: false,
          env: { PARLEY_REQUIRE_NETNS: '1' },
        },
      },
      {
        test: {
          name: 'siege',
          include: ['test/siege/**/*.siege.test.ts'],
          environment: 'node',
          // A full-scale attack (npm run siege) runs for minutes; the short pass for seconds.
          testTimeout: process.env.SIEGE_SCALE === 'full' ? 600_000 : 90_000,
          hookTimeout: 60_000,
          // Each attack wants the machine's two cores to itself, and namespaces are shared state.
          fileParallelism: false,
          env: { PARLEY_REQUIRE_NETNS: '1' },
        },
      },
    ],
  },
});
