import { expect } from 'chai';
import { pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import { base32Encode } from '../../../src/mfa/base32.js';
import { presetSuite } from './preset-suite.js';

// The Identity template's CreateIdentitySchema migration as the Npgsql EF Core provider emits it
// (IdentityUserContext.cs: keys, lengths, indexes; IdentityUser.cs: columns and NULLability).
const DDL = [
  `CREATE TABLE "AspNetUsers" (
    "Id" text NOT NULL, "UserName" character varying(256) NULL, "NormalizedUserName" character varying(256) NULL,
    "Email" character varying(256) NULL, "NormalizedEmail" character varying(256) NULL, "EmailConfirmed" boolean NOT NULL,
    "PasswordHash" text NULL, "SecurityStamp" text NULL, "ConcurrencyStamp" text NULL, "PhoneNumber" text NULL,
    "PhoneNumberConfirmed" boolean NOT NULL, "TwoFactorEnabled" boolean NOT NULL, "LockoutEnd" timestamp with time zone NULL,
    "LockoutEnabled" boolean NOT NULL, "AccessFailedCount" integer NOT NULL, CONSTRAINT "PK_AspNetUsers" PRIMARY KEY ("Id"))`,
  `CREATE TABLE "AspNetUserTokens" (
    "UserId" text NOT NULL, "LoginProvider" character varying(128) NOT NULL, "Name" character varying(128) NOT NULL, "Value" text NULL,
    CONSTRAINT "PK_AspNetUserTokens" PRIMARY KEY ("UserId", "LoginProvider", "Name"),
    CONSTRAINT "FK_AspNetUserTokens_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE)`,
  'CREATE INDEX "EmailIndex" ON "AspNetUsers" ("NormalizedEmail")',
  'CREATE UNIQUE INDEX "UserNameIndex" ON "AspNetUsers" ("NormalizedUserName")',
];

// dotnet/aspnetcore src/Identity/test/Identity.Test/PasswordHasherTest.cs, HashPassword_Version3: "my password".
const VECTOR = 'AQAAAAEAACcQAAAAEAABAgMEBQYHCAkKCwwNDg+yWU7rLgUwPZb1Itsmra7cbxw2EFpwpVFIEtP+JIuUEw==';

/** PasswordHasher v3 (PasswordHasher.cs): 0x01, PRF (1 = HMACSHA256), iterations, salt length, salt, 256-bit subkey. */
function v3(password: string, salt: Buffer = randomBytes(16), iterations = 10_000): string {
  const head = Buffer.alloc(13);
  head.writeUInt8(1, 0);
  head.writeUInt32BE(1, 1);
  head.writeUInt32BE(iterations, 5);
  head.writeUInt32BE(salt.length, 9);
  return Buffer.concat([head, salt, pbkdf2Sync(password, salt, iterations, 32, 'sha256')]).toString('base64');
}

presetSuite({
  title: 'preset: aspnet-identity on PostgreSQL (#11)',
  kind: 'postgres',
  ddl: DDL,
  tables: ['"AspNetUsers"', '"AspNetUserTokens"'],
  preset: () => 'aspnet-identity',
  verifier: false,
  algorithm: 'PBKDF2_SHA256',
  passwords: ['my password', 'Aspnet-ben-1', 'Aspnet-cat-1'],
  addUser: async (db, name, password) => {
    expect(v3('my password', Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'))).to.equal(VECTOR);
    const id = randomUUID();
    const email = `${name}@example.com`;
    await db.exec(`INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "PasswordHash",
      "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
      VALUES (?, ?, ?, ?, ?, true, ?, ?, ?, false, false, true, 0)`,
    [id, email, email.toUpperCase(), email, email.toUpperCase(), password === 'my password' ? VECTOR : v3(password), randomUUID(), randomUUID()]);
    return id;
  },
  setPassword: async (db, key, password) => {
    // UserManager.ChangePasswordAsync: a new hash and a new security stamp.
    await db.exec('UPDATE "AspNetUsers" SET "PasswordHash" = ?, "SecurityStamp" = ?, "ConcurrencyStamp" = ? WHERE "Id" = ?', [v3(password), randomUUID(), randomUUID(), key]);
  },
  addTotp: async (db, key) => {
    // ResetAuthenticatorKeyAsync (20 random bytes, base32) then SetTwoFactorEnabledAsync(true).
    const secret = base32Encode(randomBytes(20));
    await db.exec(`INSERT INTO "AspNetUserTokens" ("UserId", "LoginProvider", "Name", "Value") VALUES (?, '[AspNetUserStore]', 'AuthenticatorKey', ?)`, [key, secret]);
    await db.exec('UPDATE "AspNetUsers" SET "TwoFactorEnabled" = true WHERE "Id" = ?', [key]);
    return secret;
  },
  // The Identity UI's Disable2fa page: SetTwoFactorEnabledAsync(false); the AuthenticatorKey token stays.
  disableTotp: async (db, key) => { await db.exec('UPDATE "AspNetUsers" SET "TwoFactorEnabled" = false WHERE "Id" = ?', [key]); },
});
