// Account Users searches people by the start of their e-mail, first or last name: the e-mail has its
// unique index, these let the names be found by an index too instead of reading every user.
exports.up = async (knex) => {
  await knex.schema.alterTable('tblusers', (t) => {
    t.index(['first_name'], 'tblusers_first_name');
    t.index(['last_name'], 'tblusers_last_name');
  });
};

exports.down = async (knex) => {
  await knex.schema.alterTable('tblusers', (t) => {
    t.dropIndex(['first_name'], 'tblusers_first_name');
    t.dropIndex(['last_name'], 'tblusers_last_name');
  });
};
