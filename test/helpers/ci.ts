// The rule lives in ci.cjs so the mocha configs (plain JavaScript) share it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ci = require('./ci.cjs') as { inCI: (env?: NodeJS.ProcessEnv) => boolean };

export const inCI = ci.inCI;
