import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cables search reads accented letters as plain ones (`demarche` finds "Démarche", `cote` "Côte
 * d'Ivoire"): two text search configurations, copies of `english` and `simple` whose words with
 * letters beyond ASCII pass through the `unaccent` dictionary first. `unaccent` is a trusted
 * extension (PostgreSQL 13 and later): a user who may create in the database may add it. The
 * documents stored before are written anew by the `cable-search-accents` repair at the next start.
 */
export class AddAccentInsensitiveSearch1795910427000 implements MigrationInterface {
  name = 'AddAccentInsensitiveSearch1795910427000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE EXTENSION IF NOT EXISTS unaccent');
    for (const [name, base, then] of [['chancery_english', 'english', 'english_stem'], ['chancery_simple', 'simple', 'simple']]) {
      await db.query(`CREATE TEXT SEARCH CONFIGURATION ${name} (COPY = ${base})`);
      await db.query(`ALTER TEXT SEARCH CONFIGURATION ${name} ALTER MAPPING FOR word, hword, hword_part WITH unaccent, ${then}`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TEXT SEARCH CONFIGURATION chancery_simple');
    await db.query('DROP TEXT SEARCH CONFIGURATION chancery_english');
    // The extension stays: something else in the database may use it.
  }
}
