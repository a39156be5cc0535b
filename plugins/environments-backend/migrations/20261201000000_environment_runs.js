// @ts-check

/**
 * The run history of each environment: every plan and apply (from the
 * portal's actions or the environment repository's pipeline) and every
 * scheduled drift check.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('environment_runs', table => {
    table.comment('Terraform runs of KLER environments: plans, applies, drift');
    table.bigIncrements('id').comment('Tells runs apart');
    table
      .string('environment_name', 253)
      .notNullable()
      .comment("The environment's name (its catalog Resource's metadata.name)");
    table.string('kind', 16).notNullable().comment('plan, apply or drift');
    table
      .string('source', 16)
      .notNullable()
      .comment('portal, pipeline or schedule');
    table
      .string('outcome', 16)
      .notNullable()
      .comment('succeeded, failed or skipped');
    table
      .string('actor', 255)
      .notNullable()
      .comment('User entity ref or pipeline identity that ran it');
    table
      .string('reported_by', 255)
      .notNullable()
      .comment('The service principal that reported the run');
    table
      .timestamp('occurred_at', { useTz: true })
      .notNullable()
      .comment('When the run ended');
    table
      .timestamp('recorded_at', { useTz: true })
      .notNullable()
      .comment('When the run was reported');
    table.text('link').nullable().comment('The task or pipeline run');
    table.text('summary').nullable().comment('The plan summary, as JSON');
    table.text('message').nullable().comment('A short message');
    table.index(
      ['environment_name', 'occurred_at'],
      'environment_runs_by_time',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('environment_runs');
};
