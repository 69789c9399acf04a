-- Custom SQL migration file, put your code below! --
-- A custom migration (`drizzle-kit generate --custom`): drizzle-kit cannot write an index on an expression for
-- SQLite. Hearings by the day they were held, for the statistics (src/services/statistics.ts, loadFacts step 1:
-- every case heard in a period, whatever its outcomes). Named in schemas/db/steps.ts beside the table.
CREATE INDEX IF NOT EXISTS `case_steps_held_on` ON `case_steps` (json_extract(`data_json`, '$.heldOn'), `case_id`) WHERE `kind` = 'hearing_held';
