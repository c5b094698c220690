// In CI, `.only` and skipped tests fail the run (see test/helpers/ci.cjs).
const { strictInCI } = require('../helpers/ci.cjs');

module.exports = {
  require: ['tsx/cjs'],
  extension: ['ts'],
  spec: ['test/galera/**/*.galera.ts'],
  timeout: 170000,
  exit: true,
  reporter: 'spec',
  ...strictInCI(),
};
