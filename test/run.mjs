// npm test: the suite on SQLite, then on MySQL/MariaDB when one answers (TEST_MYSQL_URL,
// default mysql://root@127.0.0.1:3306). REQUIRE_MYSQL=1 (CI) fails when MySQL did not run.
import { spawnSync } from 'node:child_process';
import mysql from 'mysql2/promise';

const mysqlUrl = process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const extra = process.argv.slice(2);

async function mysqlAnswers() {
  try {
    const conn = await mysql.createConnection({ uri: mysqlUrl, connectTimeout: 3000 });
    await conn.query('select 1');
    await conn.end();
    return true;
  } catch (err) {
    console.log(
      `MySQL/MariaDB at ${mysqlUrl.replace(/\/\/[^@]*@/, '//***@')} does not answer ` +
        `(${err.code ?? err.message}); skipping that backend.`,
    );
    return false;
  }
}

const backends = ['sqlite'];
if (process.env.TEST_BACKENDS !== 'sqlite' && (await mysqlAnswers())) backends.push('mysql');
if (process.env.REQUIRE_MYSQL === '1' && !backends.includes('mysql')) {
  console.error('REQUIRE_MYSQL=1 but MySQL/MariaDB is not reachable: failing.');
  process.exit(1);
}
if (process.env.TEST_BACKENDS === 'mysql') backends.splice(0, backends.length, 'mysql');

const results = [];
for (const backend of backends) {
  console.log(`\n=== Test suite on ${backend} ===`);
  const run = spawnSync('npx', ['mocha', ...extra], {
    stdio: 'inherit',
    env: { ...process.env, TEST_DB: backend, TEST_MYSQL_URL: mysqlUrl },
  });
  results.push({ backend, ok: run.status === 0 });
}
console.log('\nBackends run: ' + results.map((r) => `${r.backend} (${r.ok ? 'passed' : 'FAILED'})`).join(', '));
process.exit(results.every((r) => r.ok) ? 0 : 1);
