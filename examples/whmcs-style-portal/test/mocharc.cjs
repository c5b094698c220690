// In CI, `.only` and skipped tests fail the run (see test/helpers/ci.cjs).
const { strictInCI } = require('../../../test/helpers/ci.cjs');

module.exports = {
  spec: ['examples/whmcs-style-portal/test/story.test.mjs'],
  timeout: 600000,
  exit: true,
  reporter: 'spec',
  ...strictInCI(),
};
