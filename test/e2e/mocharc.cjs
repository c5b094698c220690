// In CI, `.only` and skipped tests fail the run (see test/helpers/ci.cjs).
const { strictInCI } = require('../helpers/ci.cjs');

module.exports = {
  require: ['tsx/cjs'],
  extension: ['ts'],
  spec: ['test/e2e/**/*.e2e.ts'],
  timeout: 120000,
  exit: true,
  reporter: 'spec',
  ...strictInCI(),
};
