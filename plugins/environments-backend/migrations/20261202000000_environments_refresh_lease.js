// @ts-check

/**
 * The refresh lease: which replica refreshes the environments, until when its
 * lease holds, and when the latest refresh started and ended. Times are
 * milliseconds since the epoch by the database's clock, so that replicas
 * whose clocks disagree still agree on when a lease has expired.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('environments_refresh_leases', table => {
    table.comment('Which replica refreshes the environments, and until when');
    table
      .string('name', 64)
      .primary()
      .comment('The refresh the lease is for (one: environments)');
    table
      .string('holder', 255)
      .notNullable()
      .comment('The replica holding the lease (host, process, random id)');
    table
      .bigInteger('expires_at_ms')
      .notNullable()
      .comment('When the lease expires unless renewed (database clock, ms)');
    table
      .bigInteger('refresh_started_at_ms')
      .nullable()
      .comment('When the latest refresh started (database clock, ms)');
    table
      .bigInteger('refresh_ended_at_ms')
      .nullable()
      .comment('When the latest refresh ended (database clock, ms)');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('environments_refresh_leases');
};
