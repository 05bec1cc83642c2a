import type { SourceConfig } from '../config/config-schema.js';
import type { SourceAdapter } from './source-adapter.js';

/**
 * The composition root of the database seam: the one place outside the configuration that names
 * the source kinds, and the only file under `src/` that imports a concrete adapter. Each adapter
 * is loaded when first asked for, so a PostgreSQL deployment never loads the binlog driver.
 */
export async function sourceAdapterFor(source: SourceConfig): Promise<SourceAdapter> {
  switch (source.kind) {
    case 'postgres': {
      const { PostgresAdapter } = await import('../adapters/postgres/postgres-adapter.js');
      return new PostgresAdapter(source);
    }
    case 'mysql': {
      const { MysqlAdapter } = await import('../adapters/mysql/mysql-adapter.js');
      return new MysqlAdapter(source);
    }
  }
}
