import { tally } from './snapshot';

// A root-level hook: after the whole run, the attack suite's figures for the security report.
after(() => {
  if (tally.cases > 0)
    console.log(
      `      attack suite: ${tally.cases} attacks compared against a database snapshot, ` +
        `${tally.rowsChanged} rows changed`,
    );
});
