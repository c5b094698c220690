import { backend, dropSharedDatabase } from './db';

/** Root hooks: say which backend runs, and drop the test database at the end. */
export const mochaHooks = {
  beforeAll() {
    console.log(`  (database backend: ${backend})`);
  },
  async afterAll() {
    await dropSharedDatabase();
  },
};
