import type { ValueTransformer } from 'typeorm';

/**
 * Times are stored as BIGINT milliseconds since the epoch: the same on SQLite, PostgreSQL
 * and MySQL, free of the session time zone, and exact to the millisecond. PostgreSQL and
 * MySQL hand BIGINT back as a string; both become a Date here.
 */
export const epochMillis: ValueTransformer = {
  to(value: unknown): unknown {
    return value instanceof Date ? value.getTime() : value;
  },
  from(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return new Date(Number(value));
  },
};

/** Counters stored as BIGINT come back as strings from PostgreSQL and MySQL. */
export const bigintNumber: ValueTransformer = {
  to(value: unknown): unknown {
    return value;
  },
  from(value: unknown): unknown {
    return value === null || value === undefined ? null : Number(value);
  },
};
