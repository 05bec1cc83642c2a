import { SHOP_POSTGRES_TABLES } from '../../tools/demo/shop-tables.js';

/**
 * The shop schema's tables (test/support/shop-schema.ts), one list of statements per database:
 * the same logical shape on PostgreSQL and MariaDB. The PostgreSQL users, totp_devices and orders
 * tables are the demo's (tools/demo/shop-tables.ts).
 */

export const POSTGRES_SHOP_DDL: readonly string[] = [
  SHOP_POSTGRES_TABLES.users,
  `CREATE TABLE credentials (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL UNIQUE REFERENCES users (id),
    password_hash text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now())`,
  ...SHOP_POSTGRES_TABLES.totpDevices,
  SHOP_POSTGRES_TABLES.orders,
  // A DELETE on these tables must carry user_id, not only the row's own id.
  'ALTER TABLE credentials REPLICA IDENTITY FULL',
  'ALTER TABLE totp_devices REPLICA IDENTITY FULL',
];

export const MARIADB_SHOP_DDL: readonly string[] = [
  // DATETIME, not TIMESTAMP: MariaDB before 10.10 gives the first TIMESTAMP column ON UPDATE CURRENT_TIMESTAMP.
  `CREATE TABLE users (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email varchar(255) NOT NULL,
    email_confirmed tinyint(1) NOT NULL DEFAULT 0,
    first_name varchar(100) NULL, last_name varchar(100) NULL, phone varchar(32) NULL,
    login varchar(100) NULL,
    customer_number varchar(32) NULL,
    deleted_at datetime(6) NULL, last_login_at datetime(6) NULL,
    created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY users_email (email), UNIQUE KEY users_login (login)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE credentials (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id bigint NOT NULL,
    password_hash text NOT NULL,
    updated_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY credentials_user_id (user_id),
    CONSTRAINT credentials_user FOREIGN KEY (user_id) REFERENCES users (id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE totp_devices (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id bigint NOT NULL,
    secret_base32 text NOT NULL,
    confirmed tinyint(1) NOT NULL DEFAULT 0,
    KEY totp_devices_user_id (user_id),
    CONSTRAINT totp_devices_user FOREIGN KEY (user_id) REFERENCES users (id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE orders (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id bigint NULL,
    total decimal(10, 2) NOT NULL,
    created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
];
