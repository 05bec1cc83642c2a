import { inSchema, type Preset } from './preset.js';

/**
 * ASP.NET Core Identity's EF Core schema (the CreateIdentitySchema migration of the Identity
 * templates: "AspNetUsers", "AspNetUserTokens"; names are case-sensitive, quoted on PostgreSQL).
 * PasswordHash is base64 of the v2 (PBKDF2-SHA1) or v3 (PBKDF2-SHA256/512) layout
 * (PasswordHasher.cs), which cidaas checks itself; NULL means an external login only. The
 * authenticator key is the base32 token `[AspNetUserStore]` / `AuthenticatorKey` (UserStoreBase.cs)
 * and counts only while TwoFactorEnabled is true (disabling 2FA keeps the key). The stamps,
 * normalised copies and lockout counters change at every login and are nothing cidaas keeps.
 */
export const aspnetIdentityPreset: Preset = {
  name: 'aspnet-identity',
  title: 'ASP.NET Core Identity (AspNetUsers + authenticator key in AspNetUserTokens)',
  sources: [
    'dotnet/aspnetcore: src/Identity/EntityFrameworkCore/src/IdentityUserContext.cs (tables, keys, lengths)',
    'dotnet/aspnetcore: src/Identity/Extensions.Stores/src/IdentityUser.cs (columns), UserStoreBase.cs (AuthenticatorKey token)',
    'dotnet/aspnetcore: src/Identity/Extensions.Core/src/PasswordHasher.cs (v2/v3 layout)',
  ],
  params: {},
  build: (p) => ({
    users: {
      table: inSchema(p, 'AspNetUsers'),
      key: 'Id',
      fields: { email: 'Email', email_verified: 'EmailConfirmed', username: 'UserName' },
      ignoreColumns: ['SecurityStamp', 'ConcurrencyStamp', 'AccessFailedCount', 'LockoutEnd', 'NormalizedUserName', 'NormalizedEmail'],
    },
    password: { hash: 'PasswordHash', algorithm: 'auto' },
    mfa: {
      table: inSchema(p, 'AspNetUserTokens'), userKey: 'UserId', secret: 'Value', encoding: 'base32',
      filter: { LoginProvider: '[AspNetUserStore]', Name: 'AuthenticatorKey' },
      enabledWhen: { column: 'TwoFactorEnabled' },
    },
  }),
};
