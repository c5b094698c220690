import type { Knex } from 'knex';
import { isMysql } from '../db';

/**
 * Searches match the start of a person's e-mail, first or last name (User Management, staff's
 * user search) and the start of an account's name (Switch Account, staff's account search). The
 * e-mail has its unique index and the account name its index; these two let names be found by a
 * range of an index too, instead of a scan of every user.
 *
 * On MySQL/MariaDB the name columns also get `utf8mb4_unicode_520_ci`: the search folds case and
 * accents through the column's own collation (which keeps the index usable), and this one folds
 * Ł, Ø and Đ as well ("lodz" finds Łódź), which `utf8mb4_general_ci` and `utf8mb4_unicode_ci` do not.
 */
const FOLDING = 'utf8mb4_unicode_520_ci';

export async function up(knex: Knex): Promise<void> {
  if (isMysql(knex)) {
    await knex.raw(
      `alter table users modify first_name varchar(100) not null collate ${FOLDING}, ` +
        `modify last_name varchar(100) not null collate ${FOLDING}`,
    );
    await knex.raw(`alter table accounts modify name varchar(150) not null collate ${FOLDING}`);
  }
  await knex.schema.alterTable('users', (t) => {
    t.index(['first_name'], 'users_first_name');
    t.index(['last_name'], 'users_last_name');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex(['first_name'], 'users_first_name');
    t.dropIndex(['last_name'], 'users_last_name');
  });
}
