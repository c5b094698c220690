// In CI, `.only` and skipped tests fail the run (see test/helpers/ci.cjs).
const { strictInCI } = require('./test/helpers/ci.cjs');

module.exports = {
  require: ['tsx/cjs', 'test/helpers/hooks.ts'],
  extension: ['ts'],
  spec: ['test/**/*.test.ts'],
  timeout: 20000,
  exit: true,
  reporter: 'dot',
  ...strictInCI(),
};
